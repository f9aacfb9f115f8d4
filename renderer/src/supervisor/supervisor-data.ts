import type { GuichetRequest } from "../../../domain/request";
import { fetchPage, type IndexedQuery } from "../../db/indexed-query";
import type { LocalData } from "../../db/local-database";
import type { RequestsRepo } from "../../db/requests-repo";
import { readAll } from "../shared/queue-queries";
import { agentsSeen, type ReassignPlan } from "./reassign";

/** Open requests (of one service, or all), soonest deadline first: the queues' own indexes. */
function openQuery(service: string | undefined, extra: Record<string, unknown> = {}): IndexedQuery {
  return service
    ? {
        selector: { open: { $eq: true }, service: { $eq: service }, ...extra },
        index: ["open", "service", "dueOn"],
        sortField: "dueOn",
      }
    : { selector: { open: { $eq: true }, ...extra }, index: ["open", "dueOn"], sortField: "dueOn" };
}

/** All open requests assigned to `assignee` in `service` (the agent is checked while the index is read). */
export function openRequestsOf(
  data: LocalData,
  service: string,
  assignee: string,
): Promise<GuichetRequest[]> {
  return readAll(data, openQuery(service, { assignee: { $eq: assignee } }));
}

/**
 * Agents seen in the open requests of a service (or all), to suggest names: at most `limit`
 * requests are read so the form stays quick on a 100,000-request replica; free entry covers the rest.
 */
export async function knownAgents(
  data: LocalData,
  service: string | undefined,
  limit = 2000,
): Promise<string[]> {
  const page = await fetchPage(data, openQuery(service), null, limit);
  return agentsSeen(page.rows);
}

/** The selected requests as stored now (a row on screen may be a few seconds old). */
export async function currentRequests(repo: RequestsRepo, ids: Iterable<string>): Promise<GuichetRequest[]> {
  const found: GuichetRequest[] = [];
  for (const id of ids) {
    const r = await repo.get(id);
    if (r) found.push(r);
  }
  return found;
}

export type ApplyResult = { done: string[]; failed: { id: string; message: string }[] };

/**
 * Writes the plan through the repository, one request at a time (each write is validated and
 * marked pending, so it syncs); a refusal on one request does not stop the others.
 */
export async function applyPlan(repo: RequestsRepo, plan: ReassignPlan): Promise<ApplyResult> {
  const result: ApplyResult = { done: [], failed: [] };
  for (const change of plan.changes) {
    try {
      await repo.addEvents(change.id, change.events);
      result.done.push(change.id);
    } catch (e) {
      result.failed.push({ id: change.id, message: (e as Error).message });
    }
  }
  return result;
}
