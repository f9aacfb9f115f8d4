import { gunzipSync } from "node:zlib";
import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { firstValueFrom } from "rxjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDemarche } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest } from "../../domain/request";
import { ev } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { createGuichetDatabase, type GuichetDatabase } from "../../renderer/db/database";
import { requestsRepo } from "../../renderer/db/requests-repo";
import { syncLedger } from "../../renderer/db/sync-ledger";
import { couchClient } from "../../renderer/sync/couch-client";
import type { FetchLike } from "../../renderer/sync/http";
import { startRequestReplication } from "../../renderer/sync/request-replication";
import { toCouch } from "../../renderer/sync/requests/couch-docs";
import { pendingFlags } from "../../renderer/sync/requests/flags";
import { replicator } from "../../renderer/sync/requests/replicator";
import { replicationSources, requestRouter } from "../../renderer/sync/requests/routing";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";

const N = 600;
const pendingCount = async (db: GuichetDatabase) => (await (await syncLedger(db)).pendingIds()).length;
const BATCH = 100;

function backlog(commune: string, by: string, workstation: string): GuichetRequest[] {
  const demarche = findDemarche(DEFAULT_CATALOGUE, "aide_restauration_scolaire")!;
  return Array.from({ length: N }, (_, i) => {
    const r = newRequest(
      {
        demarche: demarche.id,
        channel: "guichet",
        subject: `Tarif réduit n°${i + 1}`,
        fields: { enfant: `Enfant ${i + 1}`, ecole: "École Jules-Ferry" },
        citizen: { firstName: "Camille", lastName: `Durand ${i + 1}` },
        attachments: [],
      },
      {
        commune,
        tracking: makeTrackingNumber(workstation, i + 1),
        demarche,
        policy: DEMO_COMMUNE.policy,
        by,
        workstation,
        now: new Date(Date.parse("2026-11-02T08:00:00Z") + i * 60_000).toISOString(),
      },
    );
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return r.request;
  });
}

/**
 * The server's document count once it reached `atLeast`: on a cluster, doc_count is summed from
 * one copy of each shard, which may not hold writes acknowledged a moment ago. A count above it
 * (a request written twice) is returned at once.
 */
async function settledCount(info: () => Promise<{ doc_count: number }>, atLeast: number): Promise<number> {
  let last = 0;
  return waitFor(
    `doc_count ≥ ${atLeast}`,
    async () => {
      last = (await info()).doc_count;
      return last >= atLeast ? last : null;
    },
    15_000,
  ).catch(() => last);
}

describe("a workstation pushing a backlog", () => {
  let couch: TestCouch;
  let agent: TestUser;
  beforeAll(async () => {
    couch = await startTestCouch();
    agent = await couch.createUser("agent-p", ["agent"], []);
  });
  afterAll(async () => {
    await couch?.stop();
  });

  /** A workstation holding a backlog of N requests never pushed, and its replication through `fetch`. */
  async function backlogReplica(
    name: string,
    code: string,
    fetchImpl: FetchLike,
    retryMs?: number,
    pushBatchSize = BATCH,
    on: { couch: TestCouch; agent: TestUser } = { couch, agent },
  ) {
    const db = await createGuichetDatabase({
      name: `${name}-${Date.now()}`,
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
    });
    await requestsRepo(db).bulkInsert(backlog(on.couch.commune, on.agent.name, code));
    const start = () =>
      startRequestReplication({
        db,
        dbUrl: on.couch.dbUrl("main"),
        auth: { username: on.agent.name, password: on.agent.password },
        live: false,
        pushBatchSize,
        identifier: name,
        fetch: fetchImpl,
        ...(retryMs === undefined ? {} : { retryMs }),
      });
    return { db, start };
  }

  it("sends it in _bulk_docs of the batch size, never reads it back from the server meanwhile, and clears every marker", async () => {
    const calls: string[] = [];
    const { db, start } = await backlogReplica("push-backlog", "P4K", (url, init) => {
      calls.push(new URL(url).pathname.split("/").pop()!);
      return fetch(url, init);
    });
    expect(await pendingCount(db)).toBe(N);
    const rep = start();
    try {
      await rep.replication.awaitInitialReplication();
      await rep.awaitInSync();
      // A check of the marks reading the pushed requests back would show up as _all_docs.
      expect(calls.filter((c) => c === "_all_docs")).toEqual([]);
      expect(calls.filter((c) => c === "_bulk_docs")).toHaveLength(N / BATCH);
      expect(await pendingCount(db)).toBe(0);
      const server = couch.admin.use(couch.dbName("main"));
      const designs = await server.list({ startkey: "_design/", endkey: "_design0" });
      expect(await settledCount(() => server.info(), N + designs.rows.length)).toBe(N + designs.rows.length);
    } finally {
      await rep.stop();
      await db.remove();
    }
  }, 120_000);

  it("keeps what reached the server when the line drops in the middle of a push call, and sends the rest once it is back", async () => {
    const server = couch.admin.use(couch.dbName("main"));
    const before = (await server.info()).doc_count;
    const written: string[] = [];
    let bulkCalls = 0;
    const { db, start } = await backlogReplica(
      "push-drop",
      "Q5M",
      async (url, init) => {
        // The third _bulk_docs of the first call never leaves: the line is down for that request.
        if (new URL(url).pathname.endsWith("_bulk_docs") && ++bulkCalls === 3)
          throw new TypeError("Failed to fetch");
        const res = await fetch(url, init);
        if (new URL(url).pathname.endsWith("_bulk_docs")) {
          const text = await res.clone().text();
          for (const row of JSON.parse(text) as { id: string; ok?: boolean }[])
            if (row.ok) written.push(row.id);
        }
        return res;
      },
      200,
    );
    const rep = start();
    try {
      await rep.replication.awaitInitialReplication();
      await rep.awaitInSync();
      expect(bulkCalls).toBeGreaterThan(N / BATCH);
      expect(await pendingCount(db)).toBe(0);
      // Every request written exactly once: the batches before the drop were not written again.
      expect(written).toHaveLength(N);
      expect(new Set(written).size).toBe(N);
      expect(await settledCount(() => server.info(), before + N)).toBe(before + N);
    } finally {
      await rep.stop();
      await db.remove();
    }
  }, 120_000);

  it("on a replica that RxDB's replication kept (requests, no markers, no state): sends only what the server lacks, listed as pending meanwhile", async () => {
    // A first workstation puts the backlog on the server.
    const first = await backlogReplica("upgrade-src", "R7K", fetch);
    const pushed = first.start();
    await pushed.awaitInSync();
    await pushed.stop();
    const onServer = (await first.db.requests.find().exec()).map((d) => d.toJSON() as GuichetRequest);
    await first.db.remove();
    // The upgraded workstation: the same requests, two more never sent, and nothing of ours beside them.
    const db = await createGuichetDatabase({
      name: `upgrade-${Date.now()}`,
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
    });
    const extra = backlog(couch.commune, agent.name, "R8K").slice(0, 2);
    await db.requests.bulkInsert([...onServer, ...extra]);
    let lineUp = false;
    const sent: string[] = [];
    const rep = startRequestReplication({
      db,
      dbUrl: couch.dbUrl("main"),
      auth: { username: agent.name, password: agent.password },
      live: false,
      pushBatchSize: BATCH,
      retryMs: 100,
      fetch: async (url, init) => {
        const bulk = new URL(url).pathname.endsWith("_bulk_docs");
        // The line drops after the catch-up pull: what is left to send must show meanwhile.
        if (bulk && !lineUp) throw new TypeError("Failed to fetch");
        const res = await fetch(url, init);
        if (bulk) for (const row of (await res.clone().json()) as { id: string }[]) sent.push(row.id);
        return res;
      },
    });
    try {
      const ledger = await syncLedger(db);
      for (let i = 0; i < 100 && (await ledger.pendingIds()).length < 2; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect((await ledger.pendingIds()).sort()).toEqual(extra.map((r) => r.id).sort());
      lineUp = true;
      await rep.replication.awaitInitialReplication();
      await rep.awaitInSync();
      expect(sent.sort()).toEqual(extra.map((r) => r.id).sort());
      expect(await ledger.pendingIds()).toEqual([]);
      const server = couch.admin.use(couch.dbName("main"));
      for (const r of extra)
        expect(((await server.get(r.id)) as unknown as GuichetRequest).subject).toBe(r.subject);
    } finally {
      await rep.stop();
      await db.remove();
    }
  }, 120_000);

  it("keeps the mark of a request changed while its push is on the wire, until that change reaches the server", async () => {
    let watching = false;
    let lineUp = true;
    let bulkCalls = 0;
    let edited: Promise<unknown> = Promise.resolve();
    const who = { by: agent.name, workstation: "S3T" };
    const first = ev.note("2026-11-02T09:00:00.000Z", "Rappel de la famille", who);
    const second = ev.note("2026-11-02T09:05:00.000Z", "Pièce promise pour lundi", who);
    let target = "";
    const { db, start } = await backlogReplica(
      "push-edit",
      "S3T",
      async (url, init) => {
        if (watching && new URL(url).pathname.endsWith("_bulk_docs")) {
          if (!lineUp) throw new TypeError("Failed to fetch");
          if (++bulkCalls === 1) {
            // While the first note travels, the agent adds a second one; then the line drops.
            edited = requestsRepo(db).addEvents(target, [second]);
            await edited;
            lineUp = false;
          }
        }
        return fetch(url, init);
      },
      100,
    );
    const ledger = await syncLedger(db);
    const once = start();
    await once.awaitInSync();
    await once.stop();
    target = (await db.requests.find().exec())[0]!.id;
    await requestsRepo(db).addEvents(target, [first]);
    watching = true;
    const rep = start();
    try {
      for (let i = 0; i < 100 && bulkCalls === 0; i++) await new Promise((r) => setTimeout(r, 50));
      await edited;
      await new Promise((r) => setTimeout(r, 500));
      // The first note reached the server, the second did not: still marked.
      expect(bulkCalls).toBe(1);
      expect(await ledger.isPending(target)).toBe(true);
      lineUp = true;
      await rep.awaitInSync();
      expect(await ledger.pendingIds()).toEqual([]);
      const onServer = (await couch.admin.use(couch.dbName("main")).get(target)) as unknown as GuichetRequest;
      expect(onServer.events.map((e) => e.id)).toEqual(expect.arrayContaining([first.id, second.id]));
    } finally {
      await rep.stop();
      await db.remove();
    }
  }, 120_000);

  it("sends a change again when its push meets a server copy that moved on yet holds nothing new (conflict, merge equal to ours)", async () => {
    // A cluster copy behind the others, or a rewrite of the same content, answers a push with a
    // conflict whose server copy adds nothing: the change must still reach the server.
    const server = couch.admin.use(couch.dbName("main"));
    let target = "";
    let rewritten = false;
    const { db, start } = await backlogReplica("push-same", "X8Y", async (url, init) => {
      if (target && !rewritten && new URL(url).pathname.endsWith("_bulk_docs")) {
        rewritten = true;
        const current = await server.get(target);
        await server.insert(current);
      }
      return fetch(url, init);
    });
    const first = start();
    await first.awaitInSync();
    await first.stop();
    target = (await db.requests.find().exec())[0]!.id;
    const note = ev.note("2026-11-02T09:00:00.000Z", "Pièce promise pour lundi", {
      by: agent.name,
      workstation: "X8Y",
    });
    await requestsRepo(db).addEvents(target, [note]);
    const rep = start();
    try {
      await rep.awaitInSync();
      expect(rewritten).toBe(true);
      await waitFor("la note sur le serveur", async () => {
        const onServer = (await server.get(target)) as unknown as GuichetRequest;
        return onServer.events.some((e) => e.id === note.id);
      });
      await waitFor("plus rien en attente", async () => (await pendingCount(db)) === 0);
    } finally {
      await rep.stop();
      await db.remove();
    }
  }, 120_000);

  it("sends again, never flags as refused, a request the server failed to write (CouchDB's validation process timed out)", async () => {
    let failed = "";
    const { db, start } = await backlogReplica(
      "push-server-failure",
      "F2W",
      async (url, init) => {
        if (failed || !new URL(url).pathname.endsWith("_bulk_docs")) return fetch(url, init);
        // What CouchDB answers for a document whose validate_doc_update timed out under load: it
        // is not written, the others are.
        const raw = init?.body;
        const json = typeof raw === "string" ? raw : gunzipSync(Buffer.from(raw as ArrayBuffer)).toString();
        const body = JSON.parse(json) as { docs: { _id: string }[] };
        const [victim, ...rest] = body.docs;
        failed = victim!._id;
        const headers = new Headers(init?.headers);
        headers.delete("content-encoding");
        const res = await fetch(url, { ...init, headers, body: JSON.stringify({ ...body, docs: rest }) });
        const rows = (await res.json()) as unknown[];
        const timedOut = { id: failed, error: "os_process_error", reason: "OS process timed out." };
        return new Response(JSON.stringify([timedOut, ...rows]), {
          status: res.status,
          headers: res.headers,
        });
      },
      50,
    );
    const rep = start();
    try {
      await rep.replication.awaitInitialReplication();
      await rep.awaitInSync();
      expect(failed).not.toBe("");
      expect(await pendingCount(db)).toBe(0);
      expect(await db.rejections.count().exec()).toBe(0);
      const status = await firstValueFrom(rep.status$);
      expect(status).toMatchObject({ pending: 0, rejected: 0, lastError: null });
      const server = couch.admin.use(couch.dbName("main"));
      expect(((await server.get(failed)) as unknown as GuichetRequest).id).toBe(failed);
    } finally {
      await rep.stop();
      await db.remove();
    }
  }, 120_000);

  it("on a replica never synced, merges a request the server got meanwhile and sends the merge on the server's revision", async () => {
    // The first push of a replica that holds no server state skips reading it. A request written on
    // the server after the catch-up pull meets a conflict and is merged here; a later page of the
    // same push finds the merge and must send it on the server's revision (recorded by the merge,
    // not among that push's own records), not as new again.
    // A commune of its own: the catch-up pull must bring nothing (the other tests' requests would
    // give the replica server states).
    const fresh = await startTestCouch();
    const freshAgent = await fresh.createUser("agent-p", ["agent"], []);
    const server = fresh.admin.use(fresh.dbName("main"));
    let planted: GuichetRequest | undefined;
    const sentPlanted: { rev?: string }[] = [];
    const note = ev.note("2026-11-02T09:30:00.000Z", "Complété par téléphone", {
      by: freshAgent.name,
      workstation: "Z2Q",
    });
    let db: GuichetDatabase | undefined;
    const replica = await backlogReplica(
      "push-unsynced",
      "H7N",
      async (url, init) => {
        if (new URL(url).pathname.endsWith("_bulk_docs")) {
          if (!planted && db) {
            planted = (await db.requests.find().exec())[0]!.toMutableJSON() as GuichetRequest;
            // Written by the same agent on another workstation (the server's rules check the author).
            const other = couchClient(fresh.dbUrl("main"), {
              username: freshAgent.name,
              password: freshAgent.password,
            });
            const [res] = await other.bulkDocs([toCouch({ ...planted, events: [...planted.events, note] })]);
            if (!res?.ok) throw new Error(`copie du serveur refusée : ${JSON.stringify(res)}`);
          }
          const raw = init?.body;
          const json = typeof raw === "string" ? raw : gunzipSync(Buffer.from(raw as ArrayBuffer)).toString();
          const docs = (JSON.parse(json) as { docs: { _id: string; _rev?: string }[] }).docs;
          for (const d of docs) if (d._id === planted?.id) sentPlanted.push({ rev: d._rev });
        }
        return fetch(url, init);
      },
      undefined,
      // Pages of 200: the merge made during the first page is found by the fourth, in the same push.
      50,
      { couch: fresh, agent: freshAgent },
    );
    db = replica.db;
    expect(await (await syncLedger(db)).holdsStates()).toBe(false);
    const rep = replica.start();
    try {
      await rep.awaitInSync();
      const onServer = (await server.get(planted!.id)) as unknown as GuichetRequest;
      expect(onServer.events.map((e) => e.id).sort()).toEqual(
        [...planted!.events.map((e) => e.id), note.id].sort(),
      );
      // Sent as new once (the conflict), then only ever on a server revision.
      expect(sentPlanted.length).toBeGreaterThanOrEqual(2);
      expect(sentPlanted[0]!.rev).toBeUndefined();
      expect(sentPlanted.slice(1).every((s) => typeof s.rev === "string")).toBe(true);
      await waitFor("plus rien en attente", async () => (await pendingCount(db!)) === 0);
      expect(await settledCount(() => server.info(), N)).toBeGreaterThanOrEqual(N);
    } finally {
      await rep.stop();
      await db.remove();
      await fresh.stop();
    }
  }, 120_000);

  it("does not take back an older state of a request from a live page read before its own push was recorded", async () => {
    const { db, start } = await backlogReplica("stale-page", "V6W", fetch);
    const server = couch.admin.use(couch.dbName("main"));
    const first = start();
    await first.awaitInSync();
    await first.stop();
    const id = (await db.requests.find().exec())[0]!.id;
    // What a long-poll read at that moment carries: the server's revision before the note.
    const stale = (await server.get(id)) as unknown as Record<string, unknown> & { _rev: string };
    const note = ev.note("2026-11-02T09:00:00.000Z", "Rappel de la famille", {
      by: agent.name,
      workstation: "V6W",
    });
    await requestsRepo(db).addEvents(id, [note]);
    const second = start();
    await second.awaitInSync();
    await second.stop();
    const generation = (rev: string) => Number.parseInt(rev, 10);
    expect(generation(((await server.get(id)) as { _rev: string })._rev)).toBeGreaterThan(
      generation(stale._rev),
    );

    const auth = { username: agent.name, password: agent.password };
    const sources = replicationSources(couchClient(couch.dbUrl("main"), auth), {}, auth);
    const rep = replicator({
      db,
      sources,
      targetOf: requestRouter(sources, new Set()),
      handOver: async () => [],
      flags: pendingFlags(db),
      pullSize: 500,
      wireSize: BATCH,
      scanSize: BATCH * 4,
      pushed: () => {},
      reachedEnd: () => {},
    });
    try {
      await rep.step(() => rep.applyPage("", [{ id, seq: "1-stale", doc: stale }], "1-stale"));
      const local = (await db.requests.findOne(id).exec())!.toJSON() as GuichetRequest;
      expect(local.events.map((e) => e.id)).toContain(note.id);
      expect(await (await syncLedger(db)).isPending(id)).toBe(false);
    } finally {
      rep.close();
      await db.remove();
    }
  }, 120_000);
});
