import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { firstValueFrom, take, toArray } from "rxjs";
import { describe, expect, it } from "vitest";
import { getRxStorageDexieIndexPages } from "./index-page-storage";
import { openLocalData } from "./local-database";
import { syncLedger } from "./sync-ledger";

const storage = () => getRxStorageDexieIndexPages({ indexedDB, IDBKeyRange });

describe("the sync ledger beside the replica", () => {
  it("keeps markers and states across a restart of the same replica", async () => {
    const name = `ledger${Date.now().toString(36)}a`;
    const first = await openLocalData(name, storage());
    const ledger = await syncLedger(first.db);
    await ledger.markPending(["K7M00001", "K7M00002"], "2026-12-06T09:00:00.000Z");
    await ledger.writeState([{ id: "K7M00003", rev: "2-abc", h: 4 }]);
    await first.db.close();

    const again = await openLocalData(name, storage());
    const reopened = await syncLedger(again.db);
    expect((await reopened.pendingIds()).sort()).toEqual(["K7M00001", "K7M00002"]);
    expect(await reopened.oldestPendingAt()).toBe("2026-12-06T09:00:00.000Z");
    expect((await reopened.readState(["K7M00003", "K7M00004"])).get("K7M00003")).toEqual({
      id: "K7M00003",
      rev: "2-abc",
      h: 4,
    });
    await again.db.remove();
  });

  it("starts empty for a replica removed and created again under the same name", async () => {
    const name = `ledger${Date.now().toString(36)}b`;
    const first = await openLocalData(name, storage());
    await (await syncLedger(first.db)).markPending(["K7M00001"]);
    await (await syncLedger(first.db)).writeState([{ id: "K7M00001", rev: "1-abc", h: 1 }]);
    await first.db.remove();

    const fresh = await openLocalData(name, storage());
    const ledger = await syncLedger(fresh.db);
    // A state kept from the old replica would make the new one skip a request it never sent.
    expect(await ledger.pendingIds()).toEqual([]);
    expect((await ledger.readState(["K7M00001"])).size).toBe(0);
    await fresh.db.remove();
  });

  it("tells whether any request's state is recorded, checkpoints aside", async () => {
    const d = await openLocalData(`ledger${Date.now().toString(36)}d`, storage());
    const ledger = await syncLedger(d.db);
    expect(await ledger.holdsStates()).toBe(false);
    await ledger.writeState([
      { id: "#down", rev: "{}", h: 0 },
      { id: "#up", rev: "{}", h: 0 },
    ]);
    expect(await ledger.holdsStates()).toBe(false);
    await ledger.writeState([{ id: "K7M00001", rev: "1-abc", h: 1 }]);
    expect(await ledger.holdsStates()).toBe(true);
    await d.db.remove();
  });

  it("clears only the markers asked for, in a row or with others between them", async () => {
    const d = await openLocalData(`ledger${Date.now().toString(36)}e`, storage());
    const ledger = await syncLedger(d.db);
    const ids = Array.from({ length: 9 }, (_, i) => `K7M0000${i + 1}`);
    await ledger.markPending(ids);
    // K7M00003 lies between those cleared and stays marked.
    await ledger.clearPending(["K7M00005", "K7M00001", "K7M00002", "K7M00004"]);
    expect((await ledger.pendingIds()).sort()).toEqual([
      "K7M00003",
      "K7M00006",
      "K7M00007",
      "K7M00008",
      "K7M00009",
    ]);
    // In a row: K7M00009 after them stays.
    await ledger.clearPending(["K7M00006", "K7M00007", "K7M00008"]);
    expect((await ledger.pendingIds()).sort()).toEqual(["K7M00003", "K7M00009"]);
    await ledger.clearPending(["K7M00003", "K7M00010"]);
    expect(await ledger.pendingIds()).toEqual(["K7M00009"]);
    await d.db.remove();
  });

  it("marks requests with the time of their change, and tells its counts live", async () => {
    const d = await openLocalData(`ledger${Date.now().toString(36)}c`, storage());
    const ledger = await syncLedger(d.db);
    const counts = firstValueFrom(ledger.pendingCount$().pipe(take(4), toArray()));
    await ledger.markPending(["K7M00001"], "2026-12-06T09:00:00.000Z");
    await ledger.markPendingAt([["K7M00002", Date.parse("2026-12-06T11:00:00.000Z")]]);
    expect((await firstValueFrom(ledger.pending$(10))).markers).toEqual([
      { id: "K7M00001", at: "2026-12-06T09:00:00.000Z" },
      { id: "K7M00002", at: "2026-12-06T11:00:00.000Z" },
    ]);
    await ledger.clearPending(["K7M00001", "K7M00002"]);
    expect(await counts).toEqual([0, 1, 2, 0]);
    await ledger.markPending(["K7M00003"], "2026-12-06T12:00:00.000Z");
    const listed = await firstValueFrom(ledger.pending$(10));
    expect(listed).toEqual({ markers: [{ id: "K7M00003", at: "2026-12-06T12:00:00.000Z" }], total: 1 });
    await d.db.remove();
  });
});
