import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CouchDb, couchServer } from "../../sync-server/couch/couch-db";
import { BlockCounter, claimId, reserveBlock } from "../../sync-server/services/counter";
import { ensureServerDatabase } from "../../sync-server/services/server-db";
import { startTestCouch, type TestCouch } from "./support/test-couch";
import { waitFor } from "./support/wait";

/**
 * The counters behind tracking numbers and workstation codes, on the commune's server database
 * as the server account. The cluster's node-failure test races two nodes with one node down;
 * here every way the counter document can lie (late, behind, split in siblings) must still
 * never hand out a value twice.
 */
describe("block counters (tracking numbers, workstation codes)", () => {
  let t: TestCouch;
  let db: CouchDb;
  let other: CouchDb;
  let admin: CouchDb;

  beforeAll(async () => {
    t = await startTestCouch();
    const { server } = t.bootstrapped.serviceAccounts;
    const name = await ensureServerDatabase(t.couch.admin, t.commune);
    db = couchServer(t.url, { username: server.name, password: server.password }).db(name);
    // A second process of the same server, with its own session.
    other = couchServer(t.url, { username: server.name, password: server.password }).db(name);
    admin = t.couch.admin.db(name);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const fresh = () => `counter:test-${randomBytes(4).toString("hex")}`;

  function expectDisjoint(starts: number[], size: number): void {
    const sorted = [...starts].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i], `blocs ${sorted.join(",")}`).toBeGreaterThanOrEqual((sorted[i - 1] as number) + size);
  }

  it("gives two processes racing for blocks disjoint blocks, each with its claim", async () => {
    const id = fresh();
    const starts = await Promise.all(
      Array.from({ length: 30 }, (_, i) => reserveBlock(i % 2 ? other : db, id, 5)),
    );
    expectDisjoint(starts, 5);
    for (const s of starts) expect((await admin.get(claimId(id, s)))?.start).toBe(s);
    // The hint has caught up with the highest block.
    expect((await admin.get<{ next: number }>(id))?.next).toBe(Math.max(...starts) + 5);
  });

  it("goes on from a counter written before claims existed", async () => {
    const id = fresh();
    await admin.put({ _id: id, type: "counter", next: 4101, updatedAt: "2026-01-01T00:00:00.000Z" });
    expect(await reserveBlock(db, id, 50)).toBe(4101);
    expect(await reserveBlock(db, id, 50)).toBe(4151);
  });

  it("never reuses a block whose owner stopped before moving the counter on, nor one behind a counter gone back", async () => {
    const id = fresh();
    const a = await reserveBlock(db, id, 10);
    // A process stopped between its claim and the counter's update: a claim above the counter.
    await admin.put({
      _id: claimId(id, a + 10),
      type: "counter-block",
      counter: id,
      start: a + 10,
      size: 10,
      at: "x",
    });
    const b = await reserveBlock(db, id, 10);
    expect(b).toBe(a + 20);
    // The counter brought back below existing claims (a losing sibling that won, a restore).
    const hint = await admin.get<{ next: number }>(id);
    await admin.put({ ...(hint as object), _id: id, next: a });
    expect(await reserveBlock(other, id, 10)).toBe(a + 30);
  });

  it("starts above the highest of the counter's conflicting revisions, then folds them into one", async () => {
    const id = fresh();
    const base = await admin.put({ _id: id, type: "counter", next: 1, blockSize: 5, updatedAt: "x" });
    // Two siblings, as two writers on two halves of a cluster leave them.
    const siblings = [
      { _id: id, _rev: `2-${"a".repeat(32)}`, type: "counter", next: 500, blockSize: 5, updatedAt: "x" },
      { _id: id, _rev: `2-${"b".repeat(32)}`, type: "counter", next: 20, blockSize: 5, updatedAt: "x" },
    ].map((d) => ({ ...d, _revisions: { start: 2, ids: [d._rev.slice(2), base.rev.slice(2)] } }));
    await t.couch.admin.request(`${encodeURIComponent(admin.name)}/_bulk_docs`, {
      method: "POST",
      body: { docs: siblings, new_edits: false },
    });
    expect(await reserveBlock(db, id, 5)).toBe(500);
    // The fold deletes the losing siblings: on a 3-node cluster a read right after it can come
    // from copies without those deletions yet; read until it shows them (fails if it never does).
    const after = await waitFor("les révisions sœurs repliées", async () => {
      const d = await admin.get<{ next: number; _conflicts?: string[] }>(id, { conflicts: "true" });
      return (d?._conflicts ?? []).length === 0 && d;
    }).catch(async () => admin.get<{ next: number; _conflicts?: string[] }>(id, { conflicts: "true" }));
    expect(after?.next).toBe(505);
    expect(after?._conflicts ?? []).toEqual([]);
  });

  it("refuses another block size on the same counter, with a clear error, and hands out nothing", async () => {
    const id = fresh();
    await reserveBlock(db, id, 20);
    await expect(reserveBlock(db, id, 50)).rejects.toThrow(/taille de bloc 50 au lieu de 20/);
    expect(await reserveBlock(db, id, 20)).toBe(21);
  });

  it("hands out every value once through BlockCounter in two processes", async () => {
    const id = fresh();
    const one = new BlockCounter(db, id, 7);
    const two = new BlockCounter(other, id, 7);
    const values = await Promise.all(Array.from({ length: 120 }, (_, i) => (i % 3 ? one : two).take()));
    expect(new Set(values).size).toBe(values.length);
  });
});
