import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { getChangedDocumentsSince, type RxStorage } from "rxdb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { afterEach, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { buildRequest, ev } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { answeredByIndex, changedSince, getRxStorageDexieIndexPages } from "./index-page-storage";
import { findIndexed, type IndexedQuery } from "./indexed-query";
import { type LocalData, openLocalData } from "./local-database";
import { planQueue } from "./queues";

const opened: LocalData[] = [];
afterEach(async () => {
  for (const d of opened.splice(0)) await d.db.remove();
});
let n = 0;
async function open(storage: RxStorage<unknown, unknown>): Promise<LocalData> {
  const d = await openLocalData(`ip${Date.now().toString(36)}${n++}`, storage);
  opened.push(d);
  return d;
}

const DEMARCHES = [
  "aide_restauration_scolaire",
  "inscription_bibliotheque",
  "demande_generale",
  "acte_naissance",
];

/** Requests over several services, some closed, some with equal deadlines (ties broken by id). */
function requests(): GuichetRequest[] {
  return Array.from({ length: 90 }, (_, i) => {
    const r = buildRequest(DEMARCHES[i % DEMARCHES.length]!, {
      ctx: {
        tracking: makeTrackingNumber("K7M", i + 1),
        now: `2026-03-${String(1 + (i % 5)).padStart(2, "0")}T08:30:00.000Z`,
      },
    });
    return r;
  });
}

const CTX = { myService: "scolaire", today: "2026-03-15", soonDays: 15 };
const QUERIES: [IndexedQuery, number][] = [
  [planQueue("service", {}, CTX), 7],
  [planQueue("service", {}, { ...CTX, myService: "etat_civil" }), 50],
  [planQueue("open", {}, CTX), 10],
  [planQueue("open", { sort: "updatedAt" }, CTX), 10],
  [planQueue("deadline", {}, { ...CTX, today: "2026-07-01" }), 25],
  [planQueue("open", { service: "bibliotheque" }, CTX), 200],
];
const FILTERED = planQueue("open", { channel: "guichet" }, CTX);
const SKIPPED = {
  selector: { open: { $eq: true } },
  sort: [{ dueOn: "asc" }, { id: "asc" }],
  skip: 5,
  limit: 5,
};

/**
 * The same replica in one storage, and the ids each query returns. One database at a time: the
 * workstation's collections of two replicas exceed what RxDB's free edition keeps open.
 */
async function rowsWith(
  storage: RxStorage<unknown, unknown>,
  check?: (d: LocalData) => void,
): Promise<string[][]> {
  const d = await open(storage);
  await d.repo.bulkInsert(requests());
  for (const r of requests().filter((_, i) => i % 7 === 0)) {
    await d.repo.addEvents(r.id, [ev.status("2026-03-10T09:00:00.000Z", "received", "cancelled")]);
  }
  check?.(d);
  const ids = async (q: { exec(): Promise<{ id: string }[]> }) => (await q.exec()).map((r) => r.id);
  const rows: string[][] = [];
  for (const [q, limit] of QUERIES) rows.push(await ids(findIndexed(d, q, limit)));
  // Skip, a filter read in memory, no limit: RxDB's own path, same rows.
  rows.push(await ids(d.db.requests.find(SKIPPED as never)));
  rows.push(await ids(findIndexed(d, FILTERED, 10)));
  rows.push(await ids(d.db.requests.find({ selector: { service: "scolaire" } })));
  await d.db.remove();
  opened.splice(opened.indexOf(d), 1);
  return rows;
}

describe("the Dexie storage reading a page in one getAll", () => {
  it("returns the rows RxDB's own Dexie query returns, in the same order, for the queues' queries", async () => {
    const expected = await rowsWith(
      getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>,
    );
    for (const [i, rows] of expected.entries()) expect(rows.length, String(i)).toBeGreaterThan(0);
    let shortcuts = 0;
    const got = await rowsWith(getRxStorageDexieIndexPages({ indexedDB, IDBKeyRange }), (paged) => {
      for (const [q, limit] of QUERIES)
        if (answeredByIndex(findIndexed(paged, q, limit).getPreparedQuery() as never)) shortcuts++;
      expect(answeredByIndex(findIndexed(paged, FILTERED, 10).getPreparedQuery() as never)).toBe(false);
      expect(answeredByIndex(findIndexed(paged, QUERIES[0]![0], 5_000).getPreparedQuery() as never)).toBe(
        false,
      );
    });
    // All but the order by last change, whose index does not hold `open` (a filter: RxDB's path).
    expect(shortcuts).toBe(QUERIES.length - 1);
    expect(got).toEqual(expected);
  }, 30_000);
});

describe("the replication's scan of what changed since a checkpoint", () => {
  it("reads the same documents in the same order as RxDB's getChangedDocumentsSince, deletions included", async () => {
    const d = await open(getRxStorageDexieIndexPages({ indexedDB, IDBKeyRange }));
    const all = requests();
    // Three writes, so that several documents share one time and ties are broken by id.
    await d.db.requests.bulkInsert(all.slice(0, 40));
    await d.db.requests.bulkInsert(all.slice(40));
    await (await d.db.requests.findOne(all[3]!.id).exec())!.remove();
    await (await d.db.requests.findOne(all[60]!.id).exec())!.incrementalPatch({ subject: "Objet modifié" });
    const instance = d.db.requests.storageInstance;
    for (const limit of [7, 40, 1000]) {
      let ours: { id: string; lwt: number } | undefined;
      let theirs: { id: string; lwt: number } | undefined;
      const seenOurs: string[] = [];
      const seenTheirs: string[] = [];
      for (let page = 0; page < 50; page++) {
        const a = await changedSince(instance, limit, ours);
        const b = await getChangedDocumentsSince(instance, limit, theirs);
        expect(a.documents).toEqual(b.documents);
        expect(a.checkpoint).toEqual(b.checkpoint);
        seenOurs.push(...a.documents.map((x) => x.id));
        seenTheirs.push(...b.documents.map((x) => x.id));
        ours = a.checkpoint;
        theirs = b.checkpoint;
        if (a.documents.length < limit) break;
      }
      expect(seenOurs).toEqual(seenTheirs);
      expect(new Set(seenOurs).size).toBe(all.length);
      // The deleted one and the modified one come last, in that order.
      expect(seenOurs.slice(-2)).toEqual([all[3]!.id, all[60]!.id]);
    }
  });
});
