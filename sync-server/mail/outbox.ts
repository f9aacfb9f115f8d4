import { newEventId } from "../../domain/history";
import type { GuichetRequest, RequestEvent } from "../../domain/request";
import { type CouchDb, CouchError } from "../couch/couch-db";
import { appendEvents } from "../services/append-events";
import { SERVER_WORKSTATION } from "../services/server-codes";
import type { Mailer, OutgoingMail } from "./mailer";

/**
 * Exactly-once accusés by email, across restarts and several server processes.
 *
 * For each (request, kind) the server keeps one outbox document `outbox:<id>:<kind>` in its own
 * database, created with create-only semantics (PUT without a revision: the second creator gets
 * a 409). Whoever holds the claim's lease sends; every change of the claim is a compare-and-swap
 * on its revision. Steps:
 *   1. claim (create, or take over a pending claim that is ours or whose lease expired);
 *   2. re-read the request: the event already there → nothing to send;
 *   3. send over SMTP with a Message-ID fixed by (commune, request, kind);
 *   4. mark the claim "sent" (only after the SMTP server accepted the message);
 *   5. add the `ar_sent` / `registration_sent` event to the request (read-decide-write: added
 *      only if absent), then mark the claim "recorded".
 * Guarantees: the event is recorded exactly once (step 5 re-reads on every conflict); the
 * message is sent at least once and, in every crash but one, exactly once. The one window is a
 * crash between the SMTP server's acceptance (3) and the claim's "sent" (4), one database write:
 * the next holder then sends again, with the same Message-ID, which mail clients use to show
 * the copy as the same message. A crash before 3 sends once on restart; after 4 it only
 * records. SMTP failures are retried with exponential backoff, the state visible in the claim.
 */
export type MailKind = "registration" | "ar" | MessageKind | NoticeMailKind;
/** An agent's answer (`message_out` event `<id>`), sent once and recorded as `message_sent`. */
export type MessageKind = `msg:${string}`;
/** The notice owed for event `<id>` (domain/notices.ts), sent once and recorded as `message_sent`. */
export type NoticeMailKind = `notice:${string}`;

export const messageKind = (eventId: string): MessageKind => `msg:${eventId}`;
export const noticeKind = (eventId: string): NoticeMailKind => `notice:${eventId}`;
/** The event a message or notice is about; null for the accusés. */
const messageRef = (kind: MailKind): string | null =>
  kind.startsWith("msg:") || kind.startsWith("notice:") ? kind.slice(kind.indexOf(":") + 1) : null;

export type OutboxDoc = {
  _id: string;
  _rev?: string;
  type: "outbox";
  requestId: string;
  database: string;
  kind: MailKind;
  messageId: string;
  state: "pending" | "sent" | "recorded" | "blocked" | "dropped";
  attempts: number;
  nextAttemptAt: string;
  owner: string;
  leaseUntil: string;
  createdAt: string;
  sentAt?: string;
  recordedAt?: string;
  lastError?: string;
};

export const outboxId = (requestId: string, kind: MailKind): string => `outbox:${requestId}:${kind}`;

export const EVENT_OF: Record<"registration" | "ar", "registration_sent" | "ar_sent"> = {
  registration: "registration_sent",
  ar: "ar_sent",
};

export function hasMailEvent(r: GuichetRequest, kind: MailKind): boolean {
  const ref = messageRef(kind);
  if (ref !== null) return r.events.some((e) => e.kind === "message_sent" && e.ref === ref);
  return r.events.some((e) => e.kind === EVENT_OF[kind as "registration" | "ar"]);
}

/** What to send for a request, or why it cannot be sent (an AR missing a mandatory mention). */
export type Composer = (
  request: GuichetRequest,
  kind: MailKind,
) => { mail: OutgoingMail } | { blocked: string } | null;

export type OutboxOptions = {
  stateDb: CouchDb;
  /** The same database without grouping (writes that must not wait), default `stateDb`. */
  urgentStateDb?: CouchDb;
  /**
   * The same database, ungrouped, for the quorum reads that confirm a claim (`confirmed`); without
   * it claims are not confirmed (a single CouchDB node never lets two creators both succeed).
   */
  claimDb?: CouchDb;
  requestDb: (name: string) => CouchDb;
  mailer: Mailer;
  compose: Composer;
  /** This process (stable across restarts of the same installation). */
  instanceId: string;
  serverUser: string;
  now?: () => Date;
  leaseMs?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  onError?: (err: unknown) => void;
  /**
   * A claim's retry time came (or a claim left by a previous run): by default deliver it again;
   * the mailer job passes its own so the request is re-examined as a whole (kinds in order).
   */
  onDue?: (database: string, requestId: string, kind: MailKind) => Promise<unknown>;
};

/** Outcomes after which nothing more will happen for that mail (the next kind may go). */
export const SETTLED: readonly DeliveryOutcome[] = ["recorded", "already", "blocked", "dropped"];

export type DeliveryOutcome = "recorded" | "already" | "retry" | "busy" | "blocked" | "dropped";

/** Settled claims remembered by one process (a few MB at most). */
const SETTLED_MEMORY = 50_000;

export class Outbox {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, Promise<DeliveryOutcome[]>>();
  /**
   * Claims this process saw settled, by claim id. A settled claim never changes state again, so
   * the second look at a request (the changes feed replaying what the portal already handed
   * over) is answered here instead of by two refused creations and two reads.
   */
  private readonly settled = new Map<string, DeliveryOutcome>();
  private stopped = false;
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;

  constructor(private readonly o: OutboxOptions) {
    this.now = o.now ?? (() => new Date());
    this.leaseMs = o.leaseMs ?? 120_000;
    this.retryBaseMs = o.retryBaseMs ?? 5_000;
    this.retryMaxMs = o.retryMaxMs ?? 3_600_000;
  }

  /**
   * Sends what `kinds` lists for the request, in that order, unless already done; a kind that
   * cannot go now (SMTP failure, claim held elsewhere) stops the later ones, since the accusé
   * d'enregistrement must precede the AR. One pass per request at a time in this process.
   */
  deliver(database: string, requestId: string, kinds: readonly MailKind[]): Promise<DeliveryOutcome[]> {
    const key = `${database}\u0000${requestId}`;
    const current = this.running.get(key);
    if (current) {
      const again = () => this.deliver(database, requestId, kinds);
      return current.then(again, again);
    }
    const p = this.run(database, requestId, kinds).finally(() => this.running.delete(key));
    this.running.set(key, p);
    return p;
  }

  /** At start: claims left pending (by this installation before a restart, or by a dead process). */
  async resume(): Promise<void> {
    const res = await this.o.stateDb.find<OutboxDoc>({
      selector: { type: "outbox", state: { $in: ["pending", "sent"] } },
      limit: 10_000,
    });
    for (const c of res.docs) {
      const leaseEnd = c.owner === this.o.instanceId ? 0 : Date.parse(c.leaseUntil);
      const at = Math.max(leaseEnd, c.state === "pending" ? Date.parse(c.nextAttemptAt) : 0);
      this.schedule(c, at);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await Promise.allSettled([...this.running.values()]);
  }

  private schedule(c: Pick<OutboxDoc, "_id" | "database" | "requestId" | "kind">, at: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(c._id));
    const delay = Math.max(0, at - this.now().getTime());
    const t = setTimeout(() => {
      this.timers.delete(c._id);
      const due = this.o.onDue ?? ((db, id, kind) => this.deliver(db, id, [kind]));
      due(c.database, c.requestId, c.kind).catch((e) => this.o.onError?.(e));
    }, delay);
    t.unref?.();
    this.timers.set(c._id, t);
  }

  private async run(
    database: string,
    requestId: string,
    kinds: readonly MailKind[],
  ): Promise<DeliveryOutcome[]> {
    if (this.stopped || kinds.length === 0) return kinds.map(() => "busy");
    const known = kinds.map((kind) => this.settled.get(outboxId(requestId, kind)));
    if (known.every((k) => k !== undefined)) return known as DeliveryOutcome[];
    const db = this.o.requestDb(database);
    // Claims of every kind at once (grouped into one write under load).
    const claims = await Promise.all(
      kinds.map((kind, i) => known[i] ?? this.claim(database, requestId, kind)),
    );
    const outcomes: DeliveryOutcome[] = kinds.map(() => "busy");
    const sent: { i: number; kind: MailKind; claim: OutboxDoc }[] = [];
    let request: GuichetRequest | null | undefined;
    for (const [i, kind] of kinds.entries()) {
      const claimed = claims[i];
      if (claimed === undefined) break;
      if (typeof claimed === "string") {
        outcomes[i] = claimed;
        this.remember(requestId, kind, claimed);
        if (!SETTLED.includes(claimed)) {
          await this.release(claims.slice(i + 1));
          break;
        }
        continue;
      }
      let claim = claimed;
      if (claim.state === "pending") {
        request ??= await db.get<GuichetRequest>(requestId);
        if (!request || request.anonymised) {
          outcomes[i] = await this.finish(claim, "dropped");
          this.remember(requestId, kind, outcomes[i]);
          continue;
        }
        if (hasMailEvent(request, kind)) {
          outcomes[i] = await this.finish(claim, "recorded");
          this.remember(requestId, kind, outcomes[i]);
          continue;
        }
        const composed = this.o.compose(request, kind);
        if (!composed || "blocked" in composed) {
          outcomes[i] = await this.finish(claim, composed ? "blocked" : "dropped", composed?.blocked);
          this.remember(requestId, kind, outcomes[i]);
          continue;
        }
        try {
          await this.o.mailer.send(composed.mail);
        } catch (e) {
          outcomes[i] = await this.failed(claim, e);
          await this.release(claims.slice(i + 1));
          break;
        }
        // Right after the SMTP server's acceptance, not grouped with other writes: this is what
        // keeps the resend window short.
        claim = await this.update(
          claim,
          { state: "sent", sentAt: this.now().toISOString(), messageId: composed.mail.messageId },
          this.o.urgentStateDb,
        );
      }
      sent.push({ i, kind, claim });
    }
    if (sent.length === 0) return outcomes;

    // Every event in one write of the request, each added only if still absent.
    const at = this.now().toISOString();
    // From the copy read before sending: a change since then is a conflict, and a fresh read.
    const { doc } = await appendEvents(
      db,
      requestId,
      (r) => {
        if (r.anonymised) return null;
        const missing = sent.filter((s) => !hasMailEvent(r, s.kind));
        return missing.map((s) => this.event(s.kind, at, r.citizen.email ?? ""));
      },
      request ?? undefined,
    );
    const final = doc ? "recorded" : "dropped";
    await Promise.all(
      sent.map(async (s) => {
        await this.update(s.claim, doc ? { state: "recorded", recordedAt: at } : { state: "dropped" });
        outcomes[s.i] = final;
        this.remember(requestId, s.kind, final);
      }),
    );
    return outcomes;
  }

  /** Only outcomes of claims in a final state: anything else may still change. */
  private remember(requestId: string, kind: MailKind, outcome: DeliveryOutcome | undefined): void {
    if (outcome === undefined || !SETTLED.includes(outcome)) return;
    const id = outboxId(requestId, kind);
    this.settled.set(id, outcome === "recorded" ? "already" : outcome);
    if (this.settled.size > SETTLED_MEMORY) {
      const oldest = this.settled.keys().next().value;
      if (oldest !== undefined) this.settled.delete(oldest);
    }
  }

  /** Returns the claim this process now holds, or why it does not hold one. */
  private async claim(
    database: string,
    requestId: string,
    kind: MailKind,
  ): Promise<OutboxDoc | DeliveryOutcome> {
    const id = outboxId(requestId, kind);
    // Most claims are new: try to create first, read only when someone was there before.
    let existing: OutboxDoc | null | undefined;
    for (let attempt = 0; attempt < 10; attempt++) {
      const now = this.now();
      const lease = new Date(now.getTime() + this.leaseMs).toISOString();
      if (existing === null || attempt === 0) {
        const doc: OutboxDoc = {
          _id: id,
          type: "outbox",
          requestId,
          database,
          kind,
          messageId: "",
          state: "pending",
          attempts: 0,
          nextAttemptAt: now.toISOString(),
          owner: this.o.instanceId,
          leaseUntil: lease,
          createdAt: now.toISOString(),
        };
        try {
          const res = await this.o.stateDb.put(doc);
          if (!(await this.confirmed(id, res.rev))) return "busy";
          return { ...doc, _rev: res.rev };
        } catch (e) {
          if (!(e instanceof CouchError && e.status === 409)) throw e;
          // Someone else created it first: see what it says.
        }
      }
      existing = await this.o.stateDb.get<OutboxDoc>(id);
      if (!existing) continue;
      if (existing.state === "recorded") return "already";
      if (existing.state === "blocked" || existing.state === "dropped") return existing.state;
      const mine = existing.owner === this.o.instanceId;
      if (!mine && Date.parse(existing.leaseUntil) > now.getTime()) {
        this.schedule(existing, Date.parse(existing.leaseUntil) + 1);
        return "busy";
      }
      if (existing.state === "pending" && Date.parse(existing.nextAttemptAt) > now.getTime()) {
        this.schedule(existing, Date.parse(existing.nextAttemptAt));
        return "retry";
      }
      try {
        const taken = await this.update(existing, { owner: this.o.instanceId, leaseUntil: lease });
        return (await this.confirmed(id, taken._rev ?? "")) ? taken : "busy";
      } catch (e) {
        if (e instanceof CouchError && e.status === 409) continue; // taken over meanwhile
        throw e;
      }
    }
    return "busy";
  }

  /**
   * On a CouchDB cluster two processes creating (or taking over) the same claim can both be
   * answered "accepted": each copy took the first write it saw, and the claim has two sibling
   * revisions. A claim is ours only when two quorum reads, a moment apart, show our revision as
   * the winner (CouchDB picks the same winner on every copy); otherwise we back off as "busy" and
   * the lease decides later. Without this, both would send (seen in notices.test.ts on a cluster).
   */
  private async confirmed(id: string, rev: string): Promise<boolean> {
    const db = this.o.claimDb;
    if (!db) return true;
    for (const wait of [0, 30]) {
      if (wait) await new Promise((r) => setTimeout(r, wait));
      const back = await db.get<OutboxDoc>(id, { conflicts: "true" });
      if (back?._rev !== rev) return false;
    }
    return true;
  }

  /** Later kinds claimed in the same pass but not sent now: whoever comes next may take them at once. */
  private async release(claims: (OutboxDoc | DeliveryOutcome)[]): Promise<void> {
    const now = this.now().toISOString();
    for (const c of claims) {
      if (typeof c === "string" || c.state !== "pending") continue;
      await this.update(c, { leaseUntil: now }).catch(() => undefined);
    }
  }

  private async update(
    claim: OutboxDoc,
    change: Partial<OutboxDoc>,
    db = this.o.stateDb,
  ): Promise<OutboxDoc> {
    const next = { ...claim, ...change };
    const res = await db.put(next);
    return { ...next, _rev: res.rev };
  }

  private async finish(
    claim: OutboxDoc,
    state: "recorded" | "blocked" | "dropped",
    why?: string,
  ): Promise<DeliveryOutcome> {
    await this.update(claim, { state, ...(why ? { lastError: why } : {}) });
    return state === "recorded" ? "already" : state;
  }

  private async failed(claim: OutboxDoc, err: unknown): Promise<DeliveryOutcome> {
    const attempts = claim.attempts + 1;
    const delay = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (attempts - 1));
    // ±20 % so that many mails failing together do not all come back at the same second.
    const next = this.now().getTime() + Math.round(delay * (0.8 + Math.random() * 0.4));
    const updated = await this.update(claim, {
      attempts,
      nextAttemptAt: new Date(next).toISOString(),
      leaseUntil: this.now().toISOString(),
      lastError: String((err as Error)?.message ?? err).slice(0, 300),
    });
    this.schedule(updated, next);
    return "retry";
  }

  private event(kind: MailKind, at: string, to: string): RequestEvent {
    const base = {
      id: newEventId(at, SERVER_WORKSTATION),
      at,
      by: this.o.serverUser,
      workstation: SERVER_WORKSTATION,
    };
    const ref = messageRef(kind);
    if (ref !== null) return { ...base, kind: "message_sent", ref, to };
    return kind === "ar"
      ? { ...base, kind: "ar_sent", via: "email", to }
      : { ...base, kind: "registration_sent", to };
  }
}
