import type { Catalogue } from "../../../domain/catalogue";
import { type GuichetRequest, type RequestEvent, username } from "../../../domain/request";
import type { Role } from "../../../domain/roles";
import { makeEvent } from "../../db/events";

/** roles.ts: reassignment and bulk actions are the supervisor's (admins act as supervisors). */
export const canSupervise = (roles: readonly Role[]): boolean => roles.includes("supervisor");

/** `service` undefined keeps each request's own service; `assignee` "" leaves it with nobody. */
export type ReassignTarget = { service?: string; assignee: string; note?: string };

export type SkipReason = "closed" | "unchanged" | "sensitive";
export type ReassignPlan = {
  changes: { id: string; events: RequestEvent[] }[];
  skipped: { id: string; reason: SkipReason }[];
};

type Who = { username: string; workstation: string };

/**
 * A sensitive service's requests live in that service's own database, the others in the main one
 * (validate_doc_update refuses a service from another database): a request can only move between
 * non-sensitive services, or stay in its sensitive one.
 */
export function sameDatabase(catalogue: Catalogue, from: string, to: string): boolean {
  if (from === to) return true;
  const sensitive = (id: string) => catalogue.services.find((s) => s.id === id)?.sensitive ?? false;
  return !sensitive(from) && !sensitive(to);
}

/**
 * One "assigned" event per request that actually changes (the kind that carries both service and
 * agent: history.ts projects the latest one), plus the supervisor's note when given. Closed
 * requests are not reassigned (the detail screen does not offer it either).
 */
export function planReassignment(
  requests: readonly GuichetRequest[],
  target: ReassignTarget,
  catalogue: Catalogue,
  who: Who,
  at = new Date().toISOString(),
): ReassignPlan {
  const plan: ReassignPlan = { changes: [], skipped: [] };
  const note = target.note?.trim();
  for (const r of requests) {
    const service = target.service ?? r.service;
    if (!r.open) plan.skipped.push({ id: r.id, reason: "closed" });
    else if (!sameDatabase(catalogue, r.service, service))
      plan.skipped.push({ id: r.id, reason: "sensitive" });
    else if (service === r.service && target.assignee === r.assignee)
      plan.skipped.push({ id: r.id, reason: "unchanged" });
    else {
      const events = [makeEvent(who, "assigned", { service, assignee: target.assignee }, at)];
      if (note) events.push(makeEvent(who, "note", { text: note }, at));
      plan.changes.push({ id: r.id, events });
    }
  }
  return plan;
}

/** An agent is named by their account identifier (what events' `by` holds); "" means nobody. */
export function checkAgentName(input: string): { ok: true; name: string } | { ok: false } {
  const name = input.trim().toLowerCase();
  if (name === "") return { ok: true, name };
  return username.safeParse(name).success ? { ok: true, name } : { ok: false };
}

// Events a person makes at a workstation (the portal creates, the server sends ARs and flags deadlines).
const AGENT_EVENTS = new Set<RequestEvent["kind"]>(["assigned", "status", "note", "duplicate_linked"]);

/** Agents this replica has seen: current assignees and authors of agents' actions, sorted. */
export function agentsSeen(requests: Iterable<GuichetRequest>): string[] {
  const names = new Set<string>();
  for (const r of requests) {
    if (r.assignee) names.add(r.assignee);
    for (const e of r.events) {
      if (AGENT_EVENTS.has(e.kind)) names.add(e.by);
      if (e.kind === "assigned" && e.assignee) names.add(e.assignee);
    }
  }
  return [...names].sort((a, b) => a.localeCompare(b, "fr"));
}
