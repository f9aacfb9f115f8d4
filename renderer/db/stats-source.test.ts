import { indexedDB } from "fake-indexeddb";
import type { WithDeleted } from "rxdb";
import { replicateRxCollection } from "rxdb/plugins/replication";
import { describe, expect, it } from "vitest";
import { withEvents } from "../../domain/history";
import { type GuichetRequest, NO_DUE_DATE } from "../../domain/request";
import { anonymise } from "../../domain/retention";
import {
  computeStatistics,
  type StatsOptions,
  type StatsRow,
  statisticsOf,
  statsRow,
} from "../../domain/statistics";
import { buildRequest, ev, WS_A } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { localDataPerTest } from "./local-data.test-support";
import type { LocalData } from "./local-database";
import { recordQuickAnswer } from "./quick-answers";
import { idbSnapshotStore, packRows, type Snapshot, type SnapshotStore, unpackRows } from "./row-snapshot";
import { changesQuery, dashboardSources, LOG_CODEC, RowSource, STATS_CODEC } from "./stats-source";

const data = localDataPerTest();

function request(seq: number, channel: "guichet" | "en_ligne" = "guichet"): GuichetRequest {
  return buildRequest(seq % 2 ? "aide_restauration_scolaire" : "demande_generale", {
    content: { channel },
    ctx: {
      tracking: makeTrackingNumber(WS_A, seq),
      now: `2026-03-${String(1 + (seq % 28)).padStart(2, "0")}T08:30:00.000Z`,
    },
  });
}

const MARCH: StatsOptions = { from: "2026-03-01", to: "2026-03-31", today: "2026-03-31", riskDays: 15 };
function memoryStore(): SnapshotStore & { saved: Map<string, Snapshot> } {
  const saved = new Map<string, Snapshot>();
  return {
    saved,
    read: async (key) => saved.get(key),
    write: async (key, s) => {
      saved.set(key, structuredClone(s));
    },
  };
}

const source = (d: LocalData, store?: SnapshotStore, chunk = 5) =>
  new RowSource(d.db.requests, statsRow, {
    codec: STATS_CODEC,
    chunk,
    delayMs: 0,
    ...(store ? { store } : {}),
  });

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("timeout");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("RowSource", () => {
  it("reads every request, chunk after chunk, into the same figures as the requests themselves", async () => {
    const d = await data();
    const docs = Array.from({ length: 23 }, (_, i) => request(i + 1, i % 3 ? "guichet" : "en_ligne"));
    await d.repo.bulkInsert(docs);
    const s = source(d);
    await s.load();
    expect(s.size).toBe(23);
    expect(s.lastLoad).toEqual({ fromSnapshot: false, read: 23 });
    expect(computeStatistics(s.current(), [], MARCH)).toEqual(statisticsOf(docs, [], MARCH));
  });

  it("reads each document once even when many share a write time, deletions included", async () => {
    const d = await data();
    // One bulk insert: the documents share (nearly) one write time, the checkpoint falls among them.
    await d.repo.bulkInsert(Array.from({ length: 40 }, (_, i) => request(i + 1)));
    const storage = d.db.requests.storageInstance;
    const seen: string[] = [];
    let after: { id: string; lwt: number } | null = null;
    for (;;) {
      const { documents } = await storage.query(changesQuery("id", after, 7) as never);
      seen.push(...documents.map((doc) => doc.id));
      const last = documents.at(-1);
      if (!last) break;
      after = { id: last.id, lwt: last._meta.lwt };
    }
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);

    const s = source(d, undefined, 7);
    await s.load();
    const doc = await d.db.requests.findOne(makeTrackingNumber(WS_A, 5)).exec();
    await doc!.remove();
    await until(() => s.size === 39);
  });

  it("follows local writes made after the first read, and tells its listeners", async () => {
    const d = await data();
    await d.repo.bulkInsert(Array.from({ length: 12 }, (_, i) => request(i + 1)));
    const s = source(d);
    let told = 0;
    s.subscribe(() => told++);
    await s.load();
    await d.repo.insert(request(100));
    const id = makeTrackingNumber(WS_A, 100);
    await d.repo.addEvents(id, [ev.status("2026-03-20T10:00:00.000Z", "received", "answered")]);
    await until(() => s.current().some((r) => r.answeredOn === "2026-03-20"));
    expect(s.size).toBe(13);
    expect(computeStatistics(s.current(), [], MARCH).delays.answered).toBe(1);
    expect(told).toBeGreaterThanOrEqual(2);
  });

  it("starts the next session from its snapshot and reads only what changed since", async () => {
    const d = await data();
    const docs = Array.from({ length: 17 }, (_, i) => request(i + 1));
    await d.repo.bulkInsert(docs);
    const store = memoryStore();
    const first = source(d, store);
    await first.load();
    await first.save();
    await first.reset();

    const again = source(d, store);
    await again.load();
    expect(again.lastLoad).toEqual({ fromSnapshot: true, read: 0 });
    expect(computeStatistics(again.current(), [], MARCH)).toEqual(statisticsOf(docs, [], MARCH));
    await again.reset();

    const answered = await d.repo.addEvents(docs[3]!.id, [
      ev.status("2026-03-20T10:00:00.000Z", "received", "answered"),
    ]);
    const third = source(d, store);
    await third.load();
    expect(third.lastLoad).toEqual({ fromSnapshot: true, read: 1 });
    const now = [...docs.slice(0, 3), answered, ...docs.slice(4)];
    expect(computeStatistics(third.current(), [], MARCH)).toEqual(statisticsOf(now, [], MARCH));
    // A deletion after a restored start: the row goes, the others stay.
    await (await d.db.requests.findOne(docs[0]!.id).exec())!.remove();
    await until(() => third.size === 16);
    expect(computeStatistics(third.current(), [], MARCH)).toEqual(statisticsOf(now.slice(1), [], MARCH));
  });

  it("reads everything again when the snapshot does not add up or comes from another version", async () => {
    const d = await data();
    await d.repo.bulkInsert(Array.from({ length: 9 }, (_, i) => request(i + 1)));
    const store = memoryStore();
    const first = source(d, store);
    await first.load();
    await first.save();
    const [key, saved] = [...store.saved][0]!;
    // A row missing (as after a deletion the changes no longer show): counts differ.
    const { ids, rows } = unpackRows(saved.packed, STATS_CODEC)!;
    store.saved.set(key, { ...saved, packed: packRows(ids.slice(1), rows.slice(1), STATS_CODEC) });
    const second = source(d, store);
    await second.load();
    expect(second.lastLoad).toEqual({ fromSnapshot: true, read: 9 });
    expect(second.size).toBe(9);

    store.saved.set(key, { ...saved, format: saved.format + 1 });
    const third = source(d, store);
    await third.load();
    expect(third.lastLoad).toEqual({ fromSnapshot: false, read: 9 });
  });

  it("keeps its snapshot in IndexedDB, and reads the immediate answers the same way", async () => {
    const d = await data();
    await d.repo.bulkInsert([request(1), request(2, "en_ligne")]);
    await recordQuickAnswer(
      d,
      { channel: "telephone", reason: "horaires", by: "agent.a", workstation: "K7M" },
      new Date("2026-03-10T09:00:00Z"),
    );
    const store = idbSnapshotStore(`snap-${Date.now()}`, indexedDB);
    const s = dashboardSources(d, store);
    await Promise.all([s.requests.load(), s.quickAnswers.load()]);
    await Promise.all([s.requests.save(), s.quickAnswers.save()]);
    const saved = await store.read(`${d.db.name}/requests`);
    expect(saved?.packed.ids.split("\u0000").sort()).toEqual(
      [makeTrackingNumber(WS_A, 1), makeTrackingNumber(WS_A, 2)].sort(),
    );
    expect(computeStatistics([], s.quickAnswers.current(), MARCH).quickAnswers.byReason).toEqual([
      { key: "horaires", count: 1 },
    ]);
  });
});

/**
 * A server's feed as RxDB's replication pulls it (what renderer/sync does against CouchDB): the
 * documents in feed order, the position as checkpoint, in batches. `pull` runs until caught up.
 */
function feed(d: LocalData, batchSize = 40) {
  const docs: WithDeleted<GuichetRequest>[] = [];
  return {
    docs,
    async pull(): Promise<void> {
      const rep = replicateRxCollection<GuichetRequest, { at: number }>({
        collection: d.db.requests,
        replicationIdentifier: "test-feed",
        live: false,
        waitForLeadership: false,
        pull: {
          batchSize,
          handler: async (checkpoint, size) => {
            // An object: RxDB merges checkpoints with Object.assign.
            const from = checkpoint?.at ?? 0;
            const documents = docs.slice(from, from + size);
            return { documents, checkpoint: { at: from + documents.length } };
          },
        },
      });
      await rep.awaitInitialReplication();
      await rep.cancel();
    },
  };
}

/** A CouchDB deletion stub as the replication stores it (renderer/sync: fromCouch). */
const tombstone = (id: string) =>
  ({
    id,
    _deleted: true,
    open: false,
    service: "",
    dueOn: NO_DUE_DATE,
    channel: "autre",
    status: "cancelled",
    receivedAt: "",
    updatedAt: "",
    nameKey: "",
  }) as unknown as WithDeleted<GuichetRequest>;

/** Rows as a sorted list (rows carry no id): equal lists, equal rows whatever their order. */
const rowsOf = (s: RowSource<GuichetRequest, StatsRow>) =>
  s
    .current()
    .map((r) => JSON.stringify(r))
    .sort();

/** The requests' collection as a RowSource sees it, its reads of storage counted (same storage). */
function countingReads(d: LocalData) {
  const collection = d.db.requests;
  const instance = collection.storageInstance;
  let reads = 0;
  const storageInstance = Object.create(instance, {
    query: {
      value: (q: unknown) => {
        reads++;
        return instance.query(q as never);
      },
    },
  });
  return {
    collection: Object.create(collection, {
      storageInstance: { value: storageInstance },
    }) as typeof collection,
    reads: () => reads,
  };
}

describe("RowSource built while the replication writes", () => {
  it("gives the rows of a full read after a pull, updates, anonymisation and deletions, without reading storage", async () => {
    const d = await data();
    const { collection, reads } = countingReads(d);
    const kept = new RowSource(collection, statsRow, { codec: STATS_CODEC, chunk: 50, delayMs: 0 });
    await kept.load();
    expect(kept.size).toBe(0);
    const readsAtLoad = reads();
    const server = feed(d);
    const docs = Array.from({ length: 130 }, (_, i) => request(i + 1, i % 4 ? "guichet" : "en_ligne"));
    server.docs.push(...docs.map((doc) => ({ ...doc, _deleted: false })));
    await server.pull();
    await until(() => kept.size === 130);

    // The server then sends changes of the same documents: answered, anonymised, deleted.
    const answered = withEvents(docs[5]!, [ev.status("2026-03-20T10:00:00.000Z", "received", "answered")]);
    const anonymised = anonymise(docs[7]!, "2026-03-21T10:00:00.000Z", "sa.bernard", WS_A);
    server.docs.push(
      { ...answered, _deleted: false },
      { ...anonymised, _deleted: false },
      tombstone(docs[9]!.id),
    );
    await server.pull();
    // And this workstation writes too: an event, a new request, a removal.
    await d.repo.addEvents(docs[11]!.id, [ev.status("2026-03-22T10:00:00.000Z", "received", "answered")]);
    await d.repo.insert(request(500));
    await (await d.db.requests.findOne(docs[12]!.id).exec())!.remove();
    await until(() => kept.size === 129 && kept.current().filter((r) => r.answeredOn !== "").length === 2);
    expect(reads()).toBe(readsAtLoad);

    const full = source(d, undefined, 50);
    await full.load();
    expect(full.size).toBe(129);
    expect(rowsOf(kept)).toEqual(rowsOf(full));
    const all = await d.db.requests.find().exec();
    expect(computeStatistics(kept.current(), [], MARCH)).toEqual(
      statisticsOf(
        all.map((x) => x.toJSON() as GuichetRequest),
        [],
        MARCH,
      ),
    );
  });

  it("loses no write made by a pull while its first read is under way", async () => {
    const d = await data();
    await d.repo.bulkInsert(Array.from({ length: 60 }, (_, i) => request(i + 1)));
    const server = feed(d, 10);
    server.docs.push(
      ...Array.from({ length: 90 }, (_, i) => ({ ...request(i + 61, "en_ligne"), _deleted: false })),
      // Changes of documents the first read may or may not have seen yet.
      {
        ...withEvents(request(3), [ev.status("2026-03-20T10:00:00.000Z", "received", "answered")]),
        _deleted: false,
      },
      tombstone(request(4).id),
    );
    const kept = source(d, undefined, 7);
    await Promise.all([kept.load(), server.pull()]);
    await until(() => kept.size === 149);
    const full = source(d, undefined, 50);
    await full.load();
    await until(() => rowsOf(kept).join() === rowsOf(full).join());
    expect(rowsOf(kept)).toEqual(rowsOf(full));
    expect(kept.current().filter((r) => r.answeredOn === "2026-03-20")).toHaveLength(1);
  });

  it("saves the rows kept from a pull, and the next session starts from them with no full read", async () => {
    const d = await data();
    const store = memoryStore();
    const kept = source(d, store);
    await kept.load();
    const server = feed(d);
    server.docs.push(...Array.from({ length: 45 }, (_, i) => ({ ...request(i + 1), _deleted: false })));
    await server.pull();
    await until(() => kept.size === 45);
    await kept.save();
    await kept.reset();

    const next = source(d, store);
    await next.load();
    expect(next.lastLoad).toEqual({ fromSnapshot: true, read: 0 });
    expect(next.size).toBe(45);
  });

  it("saves while a long pull goes on, not only once it stops", async () => {
    const d = await data();
    const store = memoryStore();
    const kept = new RowSource(d.db.requests, statsRow, {
      codec: STATS_CODEC,
      store,
      delayMs: 0,
      saveDelayMs: 60_000,
      saveMaxWaitMs: 50,
    });
    await kept.load();
    const server = feed(d, 5);
    server.docs.push(...Array.from({ length: 20 }, (_, i) => ({ ...request(i + 1), _deleted: false })));
    await server.pull();
    await until(() => store.saved.size === 1);
    expect(store.saved.values().next().value?.packed.ids.split("\u0000").length).toBeGreaterThan(0);
  });
});

describe("packRows", () => {
  it("gives back the rows it packed, every field of every row", () => {
    const answered = withEvents(buildRequest("aide_restauration_scolaire"), [
      ev.assigned("2026-03-13T09:00:00Z", "scolaire", "sa.bernard"),
      ev.status("2026-03-14T09:00:00Z", "assigned", "answered"),
    ]);
    const ids = ["A", "B", "C"];
    const rows: StatsRow[] = [
      statsRow(answered),
      statsRow(buildRequest("demande_generale", { content: { channel: "courrier" } })),
      { ...statsRow(answered), implicitDecided: true, open: false, assignee: "" },
    ];
    const packed = packRows(ids, rows, STATS_CODEC);
    expect(unpackRows(packed, STATS_CODEC)).toEqual({ ids, rows });
    expect(unpackRows(structuredClone(packed), STATS_CODEC)).toEqual({ ids, rows });
    expect(unpackRows({ ...packed, fields: packed.fields.slice(1) }, STATS_CODEC)).toBeNull();
    const log = { at: "2026-03-02T09:00:00Z", channel: "guichet", reason: "horaires", by: "a" };
    expect(unpackRows(packRows(["q1"], [log], LOG_CODEC), LOG_CODEC)).toEqual({ ids: ["q1"], rows: [log] });
  });
});
