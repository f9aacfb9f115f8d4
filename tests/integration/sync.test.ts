import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { couchServer } from "../../sync-server/couch/couch-db";
import { type ConflictMerger, startConflictMerger } from "../../sync-server/jobs/conflict-merger";
import { ensureServerDatabase } from "../../sync-server/services/server-db";
import { startTestCouch, type TestCouch } from "./support/test-couch";
import { openWorkstation, type Workstation } from "./support/workstation";

/**
 * Reads every request document straight from the server, as the admin. On a cluster `_all_docs`
 * reads one copy of each shard, which may lag a write just acknowledged: two reads in a row must agree.
 */
async function serverDocs(couch: TestCouch): Promise<GuichetRequest[]> {
  const db = couch.admin.use<GuichetRequest>(couch.dbName("main"));
  const read = async () => {
    const res = await db.list({ include_docs: true });
    return res.rows
      .filter((r) => !r.id.startsWith("_design/"))
      .map((r) => r.doc as unknown as GuichetRequest);
  };
  const key = (docs: GuichetRequest[]) => JSON.stringify(docs.map((d) => [d.id, d.events.length]));
  let previous = await read();
  for (let i = 0; i < 100; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const next = await read();
    if (key(next) === key(previous)) return next;
    previous = next;
  }
  throw new Error("la liste des demandes du serveur ne se stabilise pas");
}

const eventIds = (docs: GuichetRequest[]) =>
  docs.flatMap((d) => d.events.map((e) => `${d.id}/${e.id}`)).sort();
const byId = (docs: GuichetRequest[]) => new Map(docs.map((d) => [d.id, d]));
const view = (d: GuichetRequest) => ({
  status: d.status,
  service: d.service,
  assignee: d.assignee,
  events: d.events.map((e) => e.id),
});

describe("offline-first sync between workstations and the server", () => {
  let couch: TestCouch;
  let agentA: { name: string; password: string };
  let agentB: { name: string; password: string };
  const open: Workstation[] = [];
  let merger: ConflictMerger | undefined;

  beforeAll(async () => {
    couch = await startTestCouch();
    agentA = await couch.createUser("agent-a", ["agent", "service_agent"], ["scolaire", "accueil"]);
    agentB = await couch.createUser("agent-b", ["agent", "service_agent"], ["scolaire", "accueil"]);
    // The server's conflict merger runs beside the database, as in production: on a cluster two
    // offline edits pushed at once may both be accepted as sibling revisions, which it merges.
    const sa = couch.bootstrapped.serviceAccounts.server;
    const asServer = couchServer(couch.url, { username: sa.name, password: sa.password });
    const admin = couchServer(couch.url, { username: couch.adminUser, password: couch.adminPassword });
    merger = startConflictMerger({
      databases: [couch.dbName("main")],
      db: (name) => asServer.db(name),
      checkpoints: asServer.db(await ensureServerDatabase(admin, couch.commune)),
      instanceId: "sync-test",
      onError: (e) => console.error("fusion", e),
    });
  });
  // RxDB's free edition allows 13 open collections per process: close each test's workstations.
  afterEach(async () => {
    for (const ws of open.splice(0)) await ws.destroy().catch(() => {});
  });
  afterAll(async () => {
    await merger?.stop();
    await couch?.stop();
  });

  async function workstation(
    code: string,
    user: { name: string; password: string },
    extra: { pushBatchSize?: number; pullBatchSize?: number } = {},
  ) {
    const ws = await openWorkstation({
      code,
      commune: couch.commune,
      dbUrl: couch.dbUrl("main"),
      auth: { username: user.name, password: user.password },
      ...extra,
    });
    open.push(ws);
    return ws;
  }

  it("converges to exactly 250 requests when A recorded 200 offline and B 50 online", async () => {
    const a = await workstation("A2K", agentA);
    const b = await workstation("B3M", agentB);
    a.setOnline(false);
    const fromA: GuichetRequest[] = [];
    for (let i = 0; i < 200; i++) fromA.push(await a.record());
    // Edits made offline on A: a note on every tenth request, an assignment on every twentieth.
    for (const [i, r] of fromA.entries()) {
      if (i % 10 === 0)
        await a.repo.addEvents(r.id, [a.event("note", { text: `Rappeler la famille (${i})` })]);
      if (i % 20 === 0)
        await a.repo.addEvents(r.id, [a.event("assigned", { service: "scolaire", assignee: "agent-a" })]);
    }
    for (let i = 0; i < 50; i++) await b.record();
    await b.settle();
    // The first failed call tells the workstation it is offline.
    await waitFor(async () => !(await a.status()).online, 10_000);
    const offline = await a.status();
    expect(offline.lastError).toMatch(/Serveur injoignable/);
    expect(offline.pending).toBe(200);

    a.setOnline(true);
    await a.settle(60_000);
    await b.replication.reSync();
    await waitFor(async () => (await b.all()).length === 250 && (await a.all()).length === 250);
    await a.settle();

    const server = await serverDocs(couch);
    const [onA, onB] = [await a.all(), await b.all()];
    for (const docs of [server, onA, onB]) {
      expect(docs).toHaveLength(250);
      expect(new Set(docs.map((d) => d.id)).size).toBe(250);
    }
    // 250 created events + 20 notes + 10 assignments, all present everywhere.
    expect(eventIds(server)).toHaveLength(280);
    expect(eventIds(onA)).toEqual(eventIds(server));
    expect(eventIds(onB)).toEqual(eventIds(server));
    expect((await a.status()).pending).toBe(0);
  });

  it("keeps both agents' changes when they edit the same request offline", async () => {
    const a = await workstation("C4N", agentA);
    const b = await workstation("D5P", agentB);
    const created = await a.record();
    await a.settle();
    await waitFor(async () => (await b.repo.get(created.id)) !== null);

    a.setOnline(false);
    b.setOnline(false);
    await a.repo.addEvents(created.id, [
      a.event("status", { from: "received", to: "in_progress" }),
      a.event("note", { text: "Pièces vérifiées par A" }),
    ]);
    await b.repo.addEvents(created.id, [
      b.event("assigned", { service: "scolaire", assignee: "agent-b" }),
      b.event("note", { text: "Famille rappelée par B" }),
    ]);
    a.setOnline(true);
    b.setOnline(true);
    await waitFor(async () => {
      const [x, y] = [await a.repo.get(created.id), await b.repo.get(created.id)];
      return x?.events.length === 5 && y?.events.length === 5;
    }).catch(async (err) => {
      const srv = byId(await serverDocs(couch)).get(created.id);
      console.log(
        "DEBUG",
        JSON.stringify(await b.db.rejections.find().exec()),
        (await a.repo.get(created.id))?.events.length,
        (await b.repo.get(created.id))?.events.length,
        srv?.events.length,
        await a.status(),
        await b.status(),
        // Every leaf on the server, with its events: a sibling left unmerged shows here.
        JSON.stringify(
          await couch.admin
            .use(couch.dbName("main"))
            .get(created.id, { open_revs: "all" } as never)
            .catch((e: unknown) => String(e)),
        ),
      );
      throw err;
    });
    await a.settle();
    await b.settle();

    const [onA, onB] = [(await a.repo.get(created.id))!, (await b.repo.get(created.id))!];
    const server = byId(await serverDocs(couch)).get(created.id)!;
    expect(view(onA)).toEqual(view(onB));
    expect(view(server)).toEqual(view(onA));
    const notes = onA.events
      .filter((e) => e.kind === "note")
      .map((e) => (e as { text: string }).text)
      .sort();
    expect(notes).toEqual(["Famille rappelée par B", "Pièces vérifiées par A"]);
    expect(onA.events.some((e) => e.kind === "status" && e.to === "in_progress")).toBe(true);
    expect(onA.assignee).toBe("agent-b");
    expect(onA.service).toBe("scolaire");
  });

  it("converges without loss or duplicate when the server stops in the middle of a push", async () => {
    const a = await workstation("E6Q", agentA, { pushBatchSize: 20 });
    a.setOnline(false);
    for (let i = 0; i < 120; i++) await a.record();
    a.setOnline(true);
    // Let a few batches through, then kill the server while the rest are in flight.
    await waitFor(async () => (await a.status()).pending < 100, 20_000, 5);
    await couch.restart();
    await a.settle(60_000);
    const mine = (await serverDocs(couch)).filter((d) => d.workstation === "E6Q");
    expect(mine).toHaveLength(120);
    expect(new Set(mine.map((d) => d.id)).size).toBe(120);
    expect(mine.every((d) => d.events.length === 1)).toBe(true);
  });

  it("pulls the whole database even when design documents thin out the first batches", async () => {
    const a = await workstation("J9T", agentA);
    for (let i = 0; i < 7; i++) await a.record();
    await a.settle();
    const total = (await serverDocs(couch)).length;
    // Batches of 2 against a feed that starts with the design documents written at bootstrap.
    const fresh = await workstation("K2V", agentB, { pullBatchSize: 2 });
    await fresh.replication.awaitInSync();
    expect(await fresh.all()).toHaveLength(total);
  });

  it("keeps a request the server refuses, flags it with the reason, and lets the rest through", async () => {
    const a = await workstation("F7R", agentA);
    const b = await workstation("H8S", agentB);
    a.setOnline(false);
    const fromA = await a.record();
    // B stores a copy claiming to be A's: valid for the schema, but a forged author for the server.
    const forgedId = makeTrackingNumber("H8S", 900);
    await b.repo.insert({ ...fromA, id: forgedId, tracking: forgedId });
    const good = await b.record();
    await waitFor(async () => (await b.status()).rejected === 1, 20_000);
    await waitFor(async () => (await serverDocs(couch)).some((d) => d.id === good.id), 20_000);

    const status = await b.status();
    expect(status.pending).toBe(1);
    const rejection = await b.db.rejections.findOne(forgedId).exec();
    expect(rejection?.reason).toMatch(/createdBy|auteur/i);
    expect(await b.repo.get(forgedId)).not.toBeNull();
    expect((await serverDocs(couch)).some((d) => d.id === forgedId)).toBe(false);

    // Fixed by the agent (authored by B), it goes through and the flag disappears.
    const fixed = await b.record();
    const original = (await b.repo.get(forgedId))!;
    await b.repo.replace({ ...fixed, id: forgedId, tracking: forgedId, subject: original.subject });
    await waitFor(async () => (await b.status()).rejected === 0 && (await b.status()).pending === 0, 20_000);
    expect((await serverDocs(couch)).some((d) => d.id === forgedId)).toBe(true);
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 30_000, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error("condition not met in time");
}
