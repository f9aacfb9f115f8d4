import { describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../../domain/request";
import { buildRequest } from "../../../domain/test-fixtures";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { localDataPerTest } from "../../db/local-data.test-support";
import { syncLedger } from "../../db/sync-ledger";
import { pendingFlags } from "./flags";

const data = localDataPerTest();

function requests(n: number): GuichetRequest[] {
  return Array.from({ length: n }, (_, i) =>
    buildRequest("demande_generale", { ctx: { tracking: makeTrackingNumber("F4H", i + 1) } }),
  );
}

describe("the marks a push clears", () => {
  it("clears the marks and refusal flags of the requests the server now holds, and only theirs", async () => {
    const d = await data();
    const [a, b, c] = requests(3) as [GuichetRequest, GuichetRequest, GuichetRequest];
    await d.repo.bulkInsert([a, b, c]);
    const flags = pendingFlags(d.db);
    await flags.loaded;
    await flags.reject(b, "refusée puis corrigée");
    await flags.reject(c, "toujours refusée");

    await flags.sent([a.id, b.id]);

    expect(await (await syncLedger(d.db)).pendingIds()).toEqual([c.id]);
    expect(flags.isRejected(b.id)).toBe(false);
    expect(flags.rejectedIds()).toEqual([c.id]);
    expect((await d.db.rejections.find().exec()).map((r) => r.id)).toEqual([c.id]);
  });

  it("knows the refusals recorded before a restart", async () => {
    const d = await data();
    const [a] = requests(1) as [GuichetRequest];
    await d.repo.bulkInsert([a]);
    await pendingFlags(d.db).reject(a, "champ manquant");
    const again = pendingFlags(d.db);
    await again.loaded;
    expect(again.isRejected(a.id)).toBe(true);
  });
});
