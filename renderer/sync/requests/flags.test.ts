import { describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../../domain/request";
import { buildRequest } from "../../../domain/test-fixtures";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { localDataPerTest } from "../../db/local-data.test-support";
import { pendingFlags } from "./flags";

const data = localDataPerTest();

function requests(n: number): GuichetRequest[] {
  return Array.from({ length: n }, (_, i) =>
    buildRequest("demande_generale", { ctx: { tracking: makeTrackingNumber("F4H", i + 1) } }),
  );
}

describe("the marks a push clears", () => {
  it("clears the marks of the requests the server now holds, but not of one changed since it was sent", async () => {
    const d = await data();
    const [a, b, c] = requests(3) as [GuichetRequest, GuichetRequest, GuichetRequest];
    await d.repo.bulkInsert([a, b, c]);
    const flags = pendingFlags(d.db);
    await flags.loaded;
    await flags.reject(b, "refusée puis corrigée");
    // c changes locally while its push is on the wire: the server holds the older state.
    await d.repo.replace({ ...c, subject: "Objet corrigé pendant l'envoi" });

    await flags.confirmPushed([a, b, c]);

    const marked = (await d.db.pending.find().exec()).map((m) => m.id);
    expect(marked).toEqual([c.id]);
    expect(flags.isRejected(b.id)).toBe(false);
    expect(await d.db.rejections.count().exec()).toBe(0);
  });

  it("keeps the mark of a request deleted locally meanwhile (nothing to compare with)", async () => {
    const d = await data();
    const [a] = requests(1) as [GuichetRequest];
    await d.repo.bulkInsert([a]);
    const flags = pendingFlags(d.db);
    await (await d.db.requests.findOne(a.id).exec())!.remove();

    await flags.confirmPushed([a]);

    expect((await d.db.pending.find().exec()).map((m) => m.id)).toEqual([a.id]);
  });
});
