import type { GuichetRequest } from "../../../domain/request";
import { anonymise } from "../../../domain/retention";
import type { GuichetDatabase } from "../../db/database";
import { syncLedger } from "../../db/sync-ledger";

/**
 * Removes from this workstation the sensitive requests it handed over, once `keepMs` has passed
 * since their last change (time to print the accusé): first their personal data (RxDB keeps a
 * deleted document's last state), then the document itself. A request still pending or refused
 * stays: it has not reached the server.
 */
export async function purgeHandedOver(
  db: GuichetDatabase,
  opts: { services: Iterable<string>; keepMs: number; isRejected(id: string): boolean; now?: Date },
): Promise<void> {
  const now = opts.now ?? new Date();
  const before = new Date(now.getTime() - opts.keepMs).toISOString();
  for (const service of opts.services) {
    for (const open of [true, false]) {
      const docs = await db.requests.find({ selector: { open, service } }).exec();
      for (const doc of docs) {
        const r = doc.toJSON() as GuichetRequest;
        if (!r.sensitive || r.updatedAt > before || opts.isRejected(r.id)) continue;
        if (await (await syncLedger(db)).isPending(r.id)) continue;
        const at = new Date().toISOString();
        const wiped = await doc.incrementalModify((d) => anonymise(d, at, r.createdBy, r.workstation));
        await wiped.remove();
      }
    }
  }
}
