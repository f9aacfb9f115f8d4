import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDemarche } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest } from "../../domain/request";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { createGuichetDatabase } from "../../renderer/db/database";
import { requestsRepo } from "../../renderer/db/requests-repo";
import type { FetchLike } from "../../renderer/sync/http";
import { startRequestReplication } from "../../renderer/sync/request-replication";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";

const N = 600;
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
  async function backlogReplica(name: string, code: string, fetchImpl: FetchLike, retryMs?: number) {
    const db = await createGuichetDatabase({
      name: `${name}-${Date.now()}`,
      storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
    });
    await requestsRepo(db).bulkInsert(backlog(couch.commune, agent.name, code));
    const start = () =>
      startRequestReplication({
        db,
        dbUrl: couch.dbUrl("main"),
        auth: { username: agent.name, password: agent.password },
        live: false,
        pushBatchSize: BATCH,
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
    expect(await db.pending.count().exec()).toBe(N);
    const rep = start();
    try {
      await rep.replication.awaitInitialReplication();
      await rep.awaitInSync();
      // A check of the marks reading the pushed requests back would show up as _all_docs.
      expect(calls.filter((c) => c === "_all_docs")).toEqual([]);
      expect(calls.filter((c) => c === "_bulk_docs")).toHaveLength(N / BATCH);
      expect(await db.pending.count().exec()).toBe(0);
      const server = couch.admin.use(couch.dbName("main"));
      const designs = await server.list({ startkey: "_design/", endkey: "_design0" });
      expect((await server.info()).doc_count - designs.rows.length).toBe(N);
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
      expect(await db.pending.count().exec()).toBe(0);
      // Every request written exactly once: the batches before the drop were not written again.
      expect(written).toHaveLength(N);
      expect(new Set(written).size).toBe(N);
      expect((await server.info()).doc_count - before).toBe(N);
    } finally {
      await rep.stop();
      await db.remove();
    }
  }, 120_000);
});
