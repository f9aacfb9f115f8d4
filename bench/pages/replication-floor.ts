/**
 * A second floor for `bench:sync`: the least any replication of the requests must do on this
 * stack, with none of the checks that make it safe (no conflict merge, no refusal handling, no
 * resumption after a crash, one database only). Push: read what changed in the replica (one getAll
 * per page, as Guichet's replicator does), send it, record the server's revision of each (which is
 * what clears its pending mark: marks and revisions live in one small table beside the replica).
 * Pull: read the feed, store its requests in the replica, record each revision and the checkpoint. Local work
 * overlaps the network (the next page is read or fetched while the current one travels or is
 * stored), which a replication written for Guichet could do too and RxDB's does only in part.
 * It tells how close to the raw floors a replication of our own could get, not how fast ours is.
 */
import Dexie, { type Table } from "dexie";
import type { GuichetRequest } from "../../domain/request";
import type { GuichetDatabase } from "../../renderer/db/database";
import { changedSince } from "../../renderer/db/index-page-storage";
import type { CouchClient } from "../../renderer/sync/couch-client";
import { requestsIn, toCouch } from "../../renderer/sync/requests/couch-docs";

/** What a replication must keep beside the documents: the server's revision of each ("" while pending). */
type StateRow = { id: string; rev: string };

export function syncState(name: string) {
  const dexie = new Dexie(name);
  dexie.version(1).stores({ state: "id" });
  const state = (dexie as unknown as { state: Table<StateRow, string> }).state;
  return {
    state,
    /** Local writes mark their requests pending here, in the same table (set-up of the push floor). */
    markPending: (ids: readonly string[]) => state.bulkPut(ids.map((id) => ({ id, rev: "" }))),
    remove: () => dexie.delete(),
  };
}
export type SyncState = ReturnType<typeof syncState>;

export async function floorPush(
  db: GuichetDatabase,
  client: CouchClient,
  batch: number,
  { state }: SyncState,
) {
  // What changed, in the replica's write order, a page of four batches per IndexedDB request (the
  // cheapest read of the replica found: one getAll on RxDB's own index), the next page read and
  // each next body made while the current one travels.
  const read = (from?: { id: string; lwt: number }) =>
    changedSince(db.requests.storageInstance, batch * 4, from);
  let recorded: Promise<unknown> = Promise.resolve();
  let next = read();
  let sent = 0;
  for (;;) {
    const page = await next;
    if (page.documents.length === 0) break;
    const full = page.documents.length === batch * 4;
    if (full) next = read(page.checkpoint);
    const bodyOf = (i: number) =>
      client.bulkBody(page.documents.slice(i, i + batch).map((d) => toCouch(d as unknown as GuichetRequest)));
    // Each body made while the one before travels.
    let body = bodyOf(0);
    for (let i = 0; i < page.documents.length; i += batch) {
      const sending = client.bulkDocs(await body);
      if (i + batch < page.documents.length) body = bodyOf(i + batch);
      const rows = await sending;
      const ok = rows.filter((r) => r.ok && r.rev);
      sent += ok.length;
      // Recording the revision is what clears the pending mark: one small write per request.
      recorded = recorded.then(() => state.bulkPut(ok.map((r) => ({ id: r.id, rev: r.rev! }))));
    }
    if (!full) break;
  }
  await recorded;
  return sent;
}

export async function floorPull(
  db: GuichetDatabase,
  client: CouchClient,
  batch: number,
  { state }: SyncState,
) {
  let stored: Promise<unknown> = Promise.resolve();
  let page = client.changes({ since: 0, limit: batch });
  let count = 0;
  for (;;) {
    const res = await page;
    if (res.results.length === 0) break;
    page = client.changes({ since: res.last_seq, limit: batch });
    const docs = requestsIn(res.results);
    const revs = res.results.map((r) => ({ id: r.id, rev: String(r.doc?._rev) }));
    count += docs.length;
    stored = stored.then(async () => {
      await db.requests.bulkUpsert(docs as GuichetRequest[]);
      await state.bulkPut([...revs, { id: "_checkpoint", rev: JSON.stringify(res.last_seq) }]);
    });
  }
  await stored;
  return count;
}
