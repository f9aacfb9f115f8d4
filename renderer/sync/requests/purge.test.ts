import { describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../../domain/request";
import { buildRequest, WS_A } from "../../../domain/test-fixtures";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { localDataPerTest } from "../../db/local-data.test-support";
import { syncLedger } from "../../db/sync-ledger";
import { purgeHandedOver } from "./purge";

const data = localDataPerTest();

const ccas = (seq: number, now: string): GuichetRequest =>
  buildRequest("ccas_aide", { ctx: { tracking: makeTrackingNumber(WS_A, seq), now } });

describe("purging handed-over sensitive requests from the workstation", () => {
  it("erases those past the delay that the server holds, and keeps the recent, pending and refused ones", async () => {
    const d = await data();
    const old = [1, 2, 3].map((i) => ccas(i, "2026-03-12T08:00:00.000Z"));
    const recent = ccas(4, "2026-03-12T09:55:00.000Z");
    await d.repo.bulkInsert([...old, recent]);
    // The server took all but old[1] (still pending); old[2] was refused.
    await (await syncLedger(d.db)).clearPending([old[0]!.id, old[2]!.id, recent.id]);
    const refused = new Set([old[2]!.id]);

    await purgeHandedOver(d.db, {
      services: ["ccas"],
      keepMs: 15 * 60_000,
      isRejected: (id) => refused.has(id),
      now: new Date("2026-03-12T10:00:00.000Z"),
    });

    const left = await d.db.requests.find().exec();
    expect(left.map((r) => r.id).sort()).toEqual([old[1]!.id, old[2]!.id, recent.id].sort());
    // The erased one left no personal data behind in its tombstone.
    const gone = await d.db.requests.storageInstance.findDocumentsById([old[0]!.id], true);
    expect(gone[0]?._deleted).toBe(true);
    expect(JSON.stringify(gone[0])).not.toContain(old[0]!.citizen.lastName);
  });
});
