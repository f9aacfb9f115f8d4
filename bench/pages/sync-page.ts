/**
 * Runs inside Chromium for `bench/sync.ts`: Guichet's replication (RxDB + Dexie + our CouchDB
 * handlers) beside PouchDB's own replicator and the raw HTTP floor, on the same server and data.
 */
import PouchDB from "pouchdb-browser";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import type { GuichetRequest } from "../../domain/request";
import { createGuichetDatabase } from "../../renderer/db/database";
import { requestsRepo } from "../../renderer/db/requests-repo";
import { syncLedger } from "../../renderer/db/sync-ledger";
import { couchClient } from "../../renderer/sync/couch-client";
import { startRequestReplication } from "../../renderer/sync/request-replication";
import { floorPull, floorPush, syncState } from "./replication-floor";

type Auth = { username: string; password: string };
const authHeader = (a: Auth) => `Basic ${btoa(`${a.username}:${a.password}`)}`;

/**
 * The measured part of a method, without its set-up (documents handed over, a replica filled) or
 * tear-down: the bench reads the processes' CPU at both ends (`benchCpuMark`, bench/sync.ts).
 */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  await window.benchCpuMark?.("start");
  const t0 = performance.now();
  const value = await fn();
  const ms = performance.now() - t0;
  await window.benchCpuMark?.("end");
  return { ms, value };
}

/** Time with at least one request on the wire (requests overlap: their durations do not add up). */
function busy(calls: readonly { t0: number; t1: number }[]): number {
  let total = 0;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of [...calls].sort((a, b) => a.t0 - b.t0)) {
    if (c.t1 <= end) continue;
    total += c.t1 - Math.max(c.t0, end);
    end = c.t1;
  }
  return total;
}

let n = 0;
const bench = {
  /** Guichet push: documents already in the local replica, then replication until the server holds them. */
  async guichetPush(
    docs: GuichetRequest[],
    dbUrl: string,
    auth: Auth,
    batch: { push: number; pull: number },
  ) {
    const db = await createGuichetDatabase({
      name: `bench-push-${Date.now()}-${n++}`,
      storage: getRxStorageDexie(),
    });
    await requestsRepo(db).bulkInsert(docs);
    const calls: { path: string; t0: number; t1: number }[] = [];
    const start = performance.now();
    const counted = async (url: string, init?: RequestInit) => {
      const t0 = performance.now();
      const res = await fetch(url, init);
      const body = await res.text();
      calls.push({
        path: new URL(url).pathname.split("/").pop()!,
        t0: t0 - start,
        t1: performance.now() - start,
      });
      return new Response(body, { status: res.status, headers: res.headers });
    };
    const r = await timed(async () => {
      const rep = startRequestReplication({
        db,
        dbUrl,
        auth,
        live: false,
        pushBatchSize: batch.push,
        pullBatchSize: batch.pull,
        fetch: counted,
      });
      await rep.replication.awaitInitialReplication();
      await rep.awaitInSync();
      await rep.stop();
    });
    const pending = (await (await syncLedger(db)).pendingIds()).length;
    await db.remove();
    return { ms: r.ms, pending, networkMs: busy(calls), calls };
  },
  /** Guichet pull: an empty replica catches up with the server. */
  async guichetPull(dbUrl: string, auth: Auth, batch: { push: number; pull: number }) {
    const db = await createGuichetDatabase({
      name: `bench-pull-${Date.now()}-${n++}`,
      storage: getRxStorageDexie(),
    });
    const r = await timed(async () => {
      const rep = startRequestReplication({
        db,
        dbUrl,
        auth,
        live: false,
        pushBatchSize: batch.push,
        pullBatchSize: batch.pull,
      });
      await rep.replication.awaitInitialReplication();
      await rep.stop();
    });
    const count = await db.requests.count().exec();
    await db.remove();
    return { ms: r.ms, count };
  },
  /** Second floor (./replication-floor.ts): the same replica as Guichet's push, a bare replication. */
  async floorPush(docs: GuichetRequest[], dbUrl: string, auth: Auth, batch: { push: number; pull: number }) {
    const name = `bench-floor-push-${Date.now()}-${n++}`;
    const db = await createGuichetDatabase({ name, storage: getRxStorageDexie() });
    await db.requests.bulkInsert(docs);
    const state = syncState(`${name}-state`);
    await state.markPending(docs.map((d) => d.id));
    const r = await timed(() => floorPush(db, couchClient(dbUrl, auth), batch.push, state));
    const pending = await state.state.filter((r) => r.rev === "").count();
    await state.remove();
    await db.remove();
    return { ms: r.ms, sent: r.value, pending };
  },
  async floorPull(dbUrl: string, auth: Auth, batch: { push: number; pull: number }) {
    const name = `bench-floor-pull-${Date.now()}-${n++}`;
    const db = await createGuichetDatabase({ name, storage: getRxStorageDexie() });
    const state = syncState(`${name}-state`);
    const r = await timed(() => floorPull(db, couchClient(dbUrl, auth), batch.pull, state));
    const count = await db.requests.count().exec();
    await state.remove();
    await db.remove();
    return { ms: r.ms, count };
  },
  async pouchPush(docs: GuichetRequest[], dbUrl: string, auth: Auth, batchSize: number) {
    const local = new PouchDB(`pouch-push-${Date.now()}-${n++}`);
    await local.bulkDocs(docs.map((d) => ({ ...d, _id: d.id })));
    const remote = new PouchDB(dbUrl, { fetch: (url, opts) => fetchWithAuth(url, opts, auth) });
    const r = await timed(() => local.replicate.to(remote, { batch_size: batchSize }));
    await local.destroy();
    return { ms: r.ms, written: r.value.docs_written };
  },
  async pouchPull(dbUrl: string, auth: Auth, batchSize: number) {
    const local = new PouchDB(`pouch-pull-${Date.now()}-${n++}`);
    const remote = new PouchDB(dbUrl, { fetch: (url, opts) => fetchWithAuth(url, opts, auth) });
    const r = await timed(() => local.replicate.from(remote, { batch_size: batchSize }));
    const info = await local.info();
    await local.destroy();
    return { ms: r.ms, count: info.doc_count };
  },
  /** Floor: the same documents posted with `_bulk_docs` from the page, nothing else. */
  async rawPush(docs: GuichetRequest[], dbUrl: string, auth: Auth, batchSize: number) {
    const r = await timed(async () => {
      for (let i = 0; i < docs.length; i += batchSize) {
        const body = JSON.stringify({ docs: docs.slice(i, i + batchSize).map((d) => ({ ...d, _id: d.id })) });
        const res = await fetch(`${dbUrl}/_bulk_docs`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Authorization: authHeader(auth) },
          body,
        });
        await res.json();
      }
    });
    return { ms: r.ms };
  },
  /** Floor: reading the changes feed with the documents, nothing stored. */
  async rawPull(dbUrl: string, auth: Auth, batchSize: number) {
    let since: unknown = 0;
    let count = 0;
    const r = await timed(async () => {
      for (;;) {
        const res = await fetch(
          `${dbUrl}/_changes?include_docs=true&limit=${batchSize}&since=${encodeURIComponent(String(since))}`,
          {
            headers: { Authorization: authHeader(auth) },
          },
        );
        const body = (await res.json()) as { results: unknown[]; last_seq: unknown };
        if (body.results.length === 0) break;
        count += body.results.length;
        since = body.last_seq;
      }
    });
    return { ms: r.ms, count };
  },
  /** Floor: one IndexedDB bulk write of the documents (Dexie storage through RxDB). */
  async localInsert(docs: GuichetRequest[]) {
    const db = await createGuichetDatabase({
      name: `bench-local-${Date.now()}-${n++}`,
      storage: getRxStorageDexie(),
    });
    const r = await timed(() => db.requests.bulkInsert(docs));
    await db.remove();
    return { ms: r.ms };
  },
};

function fetchWithAuth(url: RequestInfo | URL, opts: RequestInit | undefined, auth: Auth) {
  const headers = new Headers(opts?.headers);
  headers.set("Authorization", authHeader(auth));
  return fetch(url, { ...opts, headers });
}

(globalThis as unknown as { bench: typeof bench }).bench = bench;
document.title = "ready";
