import type { GuichetRequest } from "../../../domain/request";
import { withoutRxFields } from "../../db/database";
import { HANDOVER_BATCH, postHandovers } from "../handover-client";
import type { Credentials, FetchLike } from "../http";
import type { Doc } from "./couch-docs";
import type { PendingFlags } from "./flags";

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
