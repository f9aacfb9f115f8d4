import type { GuichetRequest } from "../../../domain/request";
import { type GuichetDatabase, requestConflictHandler } from "../../db/database";
import { syncLedger } from "../../db/sync-ledger";
import { type CouchDoc, fromCouch } from "./couch-docs";
import type { PendingFlags } from "./flags";
import type { Source } from "./routing";

/**
 * A pending marker or a rejection flag means "the server does not hold this local state". Either
 * can outlive its truth: a marker written just after its push (write and marker are two steps),
 * one left by a crash, a flag on a document whose events reached the server merged into another
 * workstation's push. Checks what is left against the server, 200 at a time; requests for the
 * hand-over cannot be read back there, so they are sent again (harmless: merged). Stops between
 * chunks once `interrupted` says so (the replication has work again: what is left waits).
 */
export async function reconcileMarks(
  db: GuichetDatabase,
  flags: PendingFlags,
  targetOf: (doc: GuichetRequest) => Source | "handover",
  handOver: (docs: GuichetRequest[]) => Promise<void>,
  interrupted: () => boolean = () => false,
): Promise<void> {
  const markers = new Set(await (await syncLedger(db)).pendingIds());
  const ids = [...new Set([...markers, ...flags.rejectedIds()])];
  for (let i = 0; i < ids.length && !interrupted(); i += 200) {
    const local = await db.requests.findByIds(ids.slice(i, i + 200)).exec();
    const bySource = new Map<Source, string[]>();
    const toHandOver: GuichetRequest[] = [];
    for (const [id, doc] of local) {
      const target = targetOf(doc.toJSON() as GuichetRequest);
      if (target === "handover") {
        if (markers.has(id)) toHandOver.push(doc.toJSON() as GuichetRequest);
      } else bySource.set(target, [...(bySource.get(target) ?? []), id]);
    }
    for (const [source, chunk] of bySource) {
      const server = await source.client.allDocs(chunk);
      const done = server.rows
        .filter((r) => {
          const mine = local.get(r.key);
          return (
            r.doc &&
            mine &&
            requestConflictHandler.isEqual(fromCouch(r.doc as CouchDoc), mine.toJSON() as GuichetRequest)
          );
        })
        .map((r) => r.key);
      await flags.onServer(done);
    }
    if (toHandOver.length > 0) await handOver(toHandOver);
  }
}
