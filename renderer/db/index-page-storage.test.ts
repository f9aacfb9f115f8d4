import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import type { RxStorage } from "rxdb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { afterEach, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { buildRequest, ev } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { answeredByIndex, getRxStorageDexieIndexPages } from "./index-page-storage";
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

describe("the Dexie storage reading a page in one getAll", () => {
  it("returns the rows RxDB's own Dexie query returns, in the same order, for the queues' queries", async () => {
    const plain = await open(getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>);
    const paged = await open(getRxStorageDexieIndexPages({ indexedDB, IDBKeyRange }));
    for (const d of [plain, paged]) {
      await d.repo.bulkInsert(requests());
      const closing = requests().filter((_, i) => i % 7 === 0);
      for (const r of closing) {
        await d.repo.addEvents(r.id, [ev.status("2026-03-10T09:00:00.000Z", "received", "cancelled")]);
      }
    }
    const ctx = { myService: "scolaire", today: "2026-03-15", soonDays: 15 };
    const queries: [IndexedQuery, number][] = [
      [planQueue("service", {}, ctx), 7],
      [planQueue("service", {}, { ...ctx, myService: "etat_civil" }), 50],
      [planQueue("open", {}, ctx), 10],
      [planQueue("open", { sort: "updatedAt" }, ctx), 10],
      [planQueue("deadline", {}, { ...ctx, today: "2026-07-01" }), 25],
      [planQueue("open", { service: "bibliotheque" }, ctx), 200],
    ];
    let shortcuts = 0;
    for (const [q, limit] of queries) {
      const query = findIndexed(paged, q, limit);
      if (answeredByIndex(query.getPreparedQuery() as never)) shortcuts++;
      const ids = async (d: LocalData) => (await findIndexed(d, q, limit).exec()).map((r) => r.id);
      const expected = await ids(plain);
      expect(expected.length, JSON.stringify(q)).toBeGreaterThan(0);
      expect(await ids(paged)).toEqual(expected);
    }
    // All but the order by last change, whose index does not hold `open` (a filter: RxDB's path).
    expect(shortcuts).toBe(queries.length - 1);
    // Skip, a filter read in memory, no limit: RxDB's own path, same rows.
    const skipped = {
      selector: { open: { $eq: true } },
      sort: [{ dueOn: "asc" }, { id: "asc" }],
      skip: 5,
      limit: 5,
    };
    const filtered = planQueue("open", { channel: "guichet" }, ctx);
    expect(answeredByIndex(findIndexed(paged, filtered, 10).getPreparedQuery() as never)).toBe(false);
    expect(answeredByIndex(findIndexed(paged, queries[0]![0], 5_000).getPreparedQuery() as never)).toBe(
      false,
    );
    for (const [a, b] of [
      [plain.db.requests.find(skipped as never), paged.db.requests.find(skipped as never)],
      [findIndexed(plain, filtered, 10), findIndexed(paged, filtered, 10)],
      [
        plain.db.requests.find({ selector: { service: "scolaire" } }),
        paged.db.requests.find({ selector: { service: "scolaire" } }),
      ],
    ] as const) {
      expect((await b.exec()).map((r) => r.id)).toEqual((await a.exec()).map((r) => r.id));
    }
  }, 30_000);
});
