import { type ClockEvent, computeDeadline } from "./deadlines";
import type { GuichetRequest, Projection, RequestEvent } from "./request";
import { NO_DUE_DATE } from "./request";
import { isOpen, type Status } from "./workflow";

/**
 * A request's mutable state is never edited in place: every change is an immutable event,
 * and the state is a pure function of the set of events. Two workstations that edited the
 * same request offline therefore merge by taking the union of their events — in any order
 * of arrival, the result is the same on every replica.
 */

/** Deterministic total order: time, then id (ids embed the workstation, so ties cannot flip). */
export function compareEvents(a: RequestEvent, b: RequestEvent): number {
  if (a.at !== b.at) return Date.parse(a.at) - Date.parse(b.at) || (a.at < b.at ? -1 : 1);
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export const sortEvents = (events: readonly RequestEvent[]): RequestEvent[] =>
  [...events].sort(compareEvents);

const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Unique within a request: time + workstation code (unique per device) + 8 random symbols. */
export function newEventId(
  at: string,
  workstation: string,
  random: (n: number) => Uint8Array = randomBytes,
): string {
  const bytes = random(8);
  let suffix = "";
  for (const b of bytes) suffix += ID_ALPHABET[b % 36];
  return `${Date.parse(at).toString(36)}-${workstation}-${suffix}`;
}

function randomBytes(n: number): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(n));
}

const parisDay = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});

/** The legal day of an instant is the day in the mairie's time zone, not in UTC. */
export const parisDate = (isoDateTime: string): string => parisDay.format(new Date(isoDateTime));

/** Lowercase, no accents, single spaces: what name search compares. */
export function searchKey(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

export type DemarcheChoice = Extract<RequestEvent, { kind: "demarche_chosen" }>;

/** The latest démarche an agent chose for the request (last in history order), if any. */
export function chosenDemarche(events: readonly RequestEvent[]): DemarcheChoice | null {
  // One pass, no sort: withEvents calls this on every change.
  let last: DemarcheChoice | null = null;
  for (const e of events) if (e.kind === "demarche_chosen" && (!last || compareEvents(e, last) > 0)) last = e;
  return last;
}

/** The démarche a request is handled under: the agent's latest choice wins over the one it was filed with. */
export function withChosenDemarche<
  T extends Pick<GuichetRequest, "events" | "demarche" | "demarcheVersion" | "rule">,
>(doc: T): T {
  const chosen = chosenDemarche(doc.events);
  if (!chosen) return doc;
  return { ...doc, demarche: chosen.demarche, demarcheVersion: chosen.demarcheVersion, rule: chosen.rule };
}

type ProjectionInput = Pick<
  GuichetRequest,
  "events" | "rule" | "policy" | "receivedOn" | "postmarkOn" | "citizen" | "anonymised"
>;

/** The stored projection of a request, derived from its events and creation data only. */
export function project(doc: ProjectionInput): Projection {
  const events = sortEvents(doc.events);
  let status: Status = "received";
  let service = "";
  let assignee = "";
  let implicitDecision: Projection["implicitDecision"] = "none";
  let arSent = false;
  const clock: ClockEvent[] = [];
  for (const e of events) {
    switch (e.kind) {
      case "created":
        if (!service) service = e.service;
        break;
      case "demarche_chosen":
        // The démarche's service takes the request; nobody in it has picked it up yet.
        service = e.service;
        assignee = "";
        if (status === "received") status = "assigned";
        break;
      case "assigned":
        service = e.service;
        assignee = e.assignee;
        // Assigning a request that nobody has picked up yet moves it on.
        if (status === "received") status = "assigned";
        break;
      case "status":
        // The time given for the pieces ends an SVR suspension even if nothing arrives (L114-5).
        if (e.to === "incomplete" && status !== "incomplete")
          clock.push({
            kind: "incomplete",
            date: parisDate(e.at),
            ...(e.piecesDueOn ? { piecesDueOn: e.piecesDueOn } : {}),
          });
        if (status === "incomplete" && e.to !== "incomplete")
          clock.push({ kind: "complete", date: piecesDate(e, clock) });
        status = e.to;
        break;
      case "implicit_decision":
        implicitDecision = e.outcome;
        break;
      case "ar_sent":
        arSent = true;
        break;
      default:
        break;
    }
  }
  const deadline = computeDeadline({
    rule: chosenDemarche(events)?.rule ?? doc.rule,
    receivedOn: doc.receivedOn,
    ...(doc.postmarkOn ? { postmarkOn: doc.postmarkOn } : {}),
    clock,
    policy: doc.policy,
  });
  // Once forwarded or cancelled, the mairie owes no decision: no implicit-decision date.
  const owesDecision = status !== "forwarded" && status !== "cancelled";
  const last = events[events.length - 1];
  return {
    status,
    service,
    assignee,
    open: isOpen(status),
    dueOn: owesDecision && deadline.dueOn ? deadline.dueOn : NO_DUE_DATE,
    outcome: deadline.outcome ?? "none",
    implicitDecision,
    arSent,
    updatedAt: last ? last.at : "",
    nameKey: doc.anonymised ? "" : searchKey(`${doc.citizen.lastName} ${doc.citizen.firstName}`),
  };
}

/**
 * When the file became complete: the day the pieces arrived (a citizen's mail, marked later by an
 * agent) when given, never before the request for pieces nor after the agent's event.
 */
function piecesDate(e: Extract<RequestEvent, { kind: "status" }>, clock: readonly ClockEvent[]): string {
  const marked = parisDate(e.at);
  const asked = [...clock].reverse().find((c) => c.kind === "incomplete")?.date ?? "";
  const on = e.piecesReceivedOn;
  if (!on || on > marked) return marked;
  // ISO dates compare as strings.
  if (on < asked) return asked;
  return on;
}

/** Adds events (idempotent: an event already present is not added twice) and recomputes the projection. */
export function withEvents(doc: GuichetRequest, added: readonly RequestEvent[]): GuichetRequest {
  const events = unionEvents(doc.events, added);
  const next = withChosenDemarche({ ...doc, events: doc.anonymised ? events.map(scrubEvent) : events });
  return { ...next, ...project(next) };
}

function unionEvents(a: readonly RequestEvent[], b: readonly RequestEvent[]): RequestEvent[] {
  const byId = new Map<string, RequestEvent>();
  for (const e of [...a, ...b]) {
    const seen = byId.get(e.id);
    // Same id, different content should never happen; pick deterministically anyway.
    if (!seen || JSON.stringify(e) < JSON.stringify(seen)) byId.set(e.id, e);
  }
  return sortEvents([...byId.values()]);
}

/**
 * Conflict resolution between two versions of the same request (local and server).
 * Commutative, associative and idempotent: events are unioned; anonymisation wins, so a stale
 * offline copy can never bring personal data back (the CouchDB "resurrection" trap).
 */
export function mergeRequests(a: GuichetRequest, b: GuichetRequest): GuichetRequest {
  if (a.id !== b.id) throw new Error(`Cannot merge ${a.id} with ${b.id}`);
  const base = a.anonymised === b.anonymised ? stableFirst(a, b) : a.anonymised ? a : b;
  return withEvents({ ...base, events: [] }, unionEvents(a.events, b.events));
}

// Content is immutable after creation, so both sides agree; pick one deterministically anyway.
const stableFirst = (a: GuichetRequest, b: GuichetRequest): GuichetRequest =>
  contentKey(a) <= contentKey(b) ? a : b;

function contentKey(r: GuichetRequest): string {
  const { events: _e, ...rest } = r;
  return JSON.stringify(rest);
}

/** Same request, same events, same anonymisation: nothing to merge. */
export function sameRequestState(a: GuichetRequest, b: GuichetRequest): boolean {
  if (a.anonymised !== b.anonymised || a.events.length !== b.events.length) return false;
  const ids = new Set(a.events.map((e) => e.id));
  return b.events.every((e) => ids.has(e.id));
}

/** Removes the free text an event may carry (anonymisation keeps the facts, not the words). */
export function scrubEvent(e: RequestEvent): RequestEvent {
  switch (e.kind) {
    case "note":
      return { ...e, text: "—" };
    case "status": {
      const { reason: _r, missingPieces: _m, answer: _a, forwardedTo: _f, ...rest } = e;
      return rest;
    }
    case "ar_sent": {
      const { to: _t, ...rest } = e;
      return rest;
    }
    case "registration_sent":
      return { ...e, to: "" };
    case "message_in":
      return { ...e, from: "", subject: "—", text: "—", attachments: [] };
    case "message_out":
      return { ...e, to: "", subject: "—", text: "—" };
    case "message_sent":
      return { ...e, to: "" };
    default:
      return e;
  }
}
