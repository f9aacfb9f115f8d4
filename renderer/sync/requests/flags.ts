import type { GuichetRequest } from "../../../domain/request";
import type { GuichetDatabase } from "../../db/database";
import { syncLedger } from "../../db/sync-ledger";

/**
 * The two local marks of "the server does not hold this state": a pending marker per changed
 * request, a rejection flag per refused one (kept in memory too: rejections are rare, and the
 * push must not query that collection on every batch).
 */
export function pendingFlags(db: GuichetDatabase) {
  const rejectedIds = new Set<string>();
  const loaded = db.rejections
    .find()
    .exec()
    .then((docs) => {
      for (const d of docs) rejectedIds.add(d.id);
    });

  /** The server holds these requests' local state: both marks go. */
  async function onServer(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await (await syncLedger(db)).clearPending(ids);
    const flagged = ids.filter((id) => rejectedIds.has(id));
    if (flagged.length > 0) {
      await db.rejections.bulkRemove(flagged);
      for (const id of flagged) rejectedIds.delete(id);
    }
  }

  return {
    loaded,
    isRejected: (id: string) => rejectedIds.has(id),
    rejectedIds: () => [...rejectedIds],
    async reject(doc: GuichetRequest, reason: string): Promise<void> {
      rejectedIds.add(doc.id);
      await db.rejections.upsert({ id: doc.id, reason, at: new Date().toISOString() });
    },
    onServer,
    /**
     * The server holds these requests' local state (the caller knows they did not change since
     * they were sent): their marks go.
     */
    sent: onServer,
  };
}
export type PendingFlags = ReturnType<typeof pendingFlags>;
