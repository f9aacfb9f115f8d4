import { describe, expect, it } from "vitest";
import { buildRequest, WS_A } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { localDataPerTest } from "./local-data.test-support";
import { RawReads } from "./raw-reads";

const data = localDataPerTest();
const id = (seq: number) => makeTrackingNumber(WS_A, seq);

describe("raw reads", () => {
  it("reads the same documents as RxDB's storage, removed and unknown ids left out, in the order asked", async () => {
    const d = await data();
    await d.repo.bulkInsert(
      Array.from({ length: 6 }, (_, i) => buildRequest("demande_generale", { ctx: { tracking: id(i + 1) } })),
    );
    await (await d.db.requests.findOne(id(3)).exec())!.remove();
    const asked = [id(5), id(3), id(1), id(9), id(2)];
    const storage = d.db.requests.storageInstance;
    const raw = await RawReads.of(storage);
    const mine = await raw.documents<{ id: string }>(asked);
    expect(mine.map((r) => r.id)).toEqual([id(5), id(1), id(2)]);
    const rxdb = await storage.findDocumentsById(asked, false);
    expect(mine).toEqual(asked.flatMap((a) => rxdb.filter((r) => r.id === a)));
    // Booleans as RxDB gives them (IndexedDB stores them as "0" / "1").
    expect(mine.every((r) => (r as { _deleted?: unknown })._deleted === false)).toBe(true);
  });

  it("lists the live ids of a range in order, bounds open or closed, and the last one", async () => {
    const d = await data();
    await d.repo.bulkInsert(
      Array.from({ length: 6 }, (_, i) => buildRequest("demande_generale", { ctx: { tracking: id(i + 1) } })),
    );
    await (await d.db.requests.findOne(id(6)).exec())!.remove();
    const raw = await RawReads.of(d.db.requests.storageInstance);
    const all = [1, 2, 3, 4, 5].map(id);
    expect(await raw.ids({ from: "", to: "\uffff" })).toEqual(all);
    expect(await raw.ids({ from: id(2), to: id(4) })).toEqual([id(2), id(3)]);
    expect(await raw.ids({ from: id(2), fromOpen: true, to: id(4), toOpen: false })).toEqual([id(3), id(4)]);
    expect(await raw.ids({ from: "", to: "\uffff" }, 2)).toEqual(all.slice(0, 2));
    expect(await raw.lastId({ from: "", to: "\uffff" })).toBe(id(5));
    expect(await raw.lastId({ from: "zz", to: "zzz" })).toBeUndefined();
  });
});
