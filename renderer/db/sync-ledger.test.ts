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

  it("marks only what is not marked yet, keeping the first time, and tells its counts live", async () => {
    const d = await openLocalData(`ledger${Date.now().toString(36)}c`, storage());
    const ledger = await syncLedger(d.db);
    const counts = firstValueFrom(ledger.pendingCount$().pipe(take(4), toArray()));
    await ledger.markPending(["K7M00001"], "2026-12-06T09:00:00.000Z");
    await ledger.markPendingIfAbsent([
      ["K7M00001", Date.parse("2026-12-06T10:00:00.000Z")],
      ["K7M00002", Date.parse("2026-12-06T11:00:00.000Z")],
    ]);
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
