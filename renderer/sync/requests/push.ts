import type { GuichetRequest } from "../../../domain/request";
import { withoutRxFields } from "../../db/database";
import type { CouchClient } from "../couch-client";
import { HANDOVER_BATCH, postHandovers } from "../handover-client";
import type { Credentials, FetchLike } from "../http";
import { type Doc, toCouch } from "./couch-docs";
import type { PendingFlags } from "./flags";
import { type PushRow, planWrites, settleRetries, sortBulkResults } from "./push-plan";

/** What a push step reports: RxDB's conflicts, and what the server now holds (marks to clear). */
export type PushOutcome = { conflicts: Doc[]; pushed: GuichetRequest[] };

/** Writes rows to one database: check the updates, write, look again at what was not written. */
export async function pushTo(
  target: CouchClient,
  rows: readonly PushRow[],
  flags: PendingFlags,
): Promise<PushOutcome> {
  const updates = rows.filter((r) => r.assumedMasterState).map((r) => r.newDocumentState.id);
  const server = updates.length > 0 ? (await target.allDocs(updates)).rows : [];
  const plan = planWrites(rows, server);
  if (plan.toWrite.length === 0) return { conflicts: plan.conflicts, pushed: [] };
  const results = await target.bulkDocs(
    plan.toWrite.map((r) => toCouch(r.newDocumentState, plan.revs.get(r.newDocumentState.id))),
  );
  const sorted = sortBulkResults(plan.toWrite, results);
  if (sorted.again.length === 0) return { conflicts: plan.conflicts, pushed: sorted.pushed };
  const now = await target.allDocs(sorted.again.map((r) => r.newDocumentState.id));
  const retried = settleRetries(sorted.again, now.rows, sorted.refused, plan.revs);
  for (const r of retried.rejected) await flags.reject(r.doc, r.reason);
  return {
    conflicts: [...plan.conflicts, ...retried.conflicts],
    pushed: [...sorted.pushed, ...retried.pushed],
  };
}

/**
 * Sensitive requests this workstation may not hold go to the server's hand-over; the server
 * never sends them back, so there is no conflict to report. The local purge (anonymised, then
 * deleted) is this workstation's own business and is not sent. Returns what the server took.
 */
export async function handOver(
  docs: readonly GuichetRequest[],
  handover: { url: string } | undefined,
  auth: Credentials,
  flags: PendingFlags,
  fetchImpl?: FetchLike,
): Promise<GuichetRequest[]> {
  const live = docs.filter((d) => !(d as Doc)._deleted && !d.anonymised);
  if (live.length === 0) return [];
  if (!handover) throw new Error("Demande sensible sans adresse de remise au serveur.");
  const pushed: GuichetRequest[] = [];
  for (let i = 0; i < live.length; i += HANDOVER_BATCH) {
    const batch = live.slice(i, i + HANDOVER_BATCH).map((d) => withoutRxFields(d));
    const results = await postHandovers(handover.url, auth, batch, fetchImpl);
    const byId = new Map(results.map((r) => [r.id, r]));
    for (const doc of batch) {
      const r = byId.get(doc.id);
      if (r?.ok) pushed.push(doc);
      else await flags.reject(doc, r && !r.ok ? r.reason : "remise refusée sans motif");
    }
  }
  return pushed;
}
