import { firstValueFrom, skip } from "rxjs";
import { describe, expect, it } from "vitest";
import { buildRequest } from "../../domain/test-fixtures";
import { localDataPerTest } from "./local-data.test-support";
import { rejectionOf$, rejections$ } from "./rejections";

const data = localDataPerTest();

describe("refused requests as the screens read them", () => {
  it("lists them in tracking-number order, and follows one from accepted to refused", async () => {
    const d = await data();
    expect(await firstValueFrom(rejectionOf$(d.db, "2026-K7M-0002-X"))).toBeNull();
    const next = firstValueFrom(rejectionOf$(d.db, "2026-K7M-0002-X").pipe(skip(1)));
    await d.db.rejections.bulkInsert([
      { id: "2026-K7M-0002-X", reason: "Transition interdite", at: "2026-03-12T10:00:00.000Z" },
      { id: "2026-K7M-0001-Y", reason: "Auteur usurpé", at: "2026-03-12T10:01:00.000Z" },
    ]);
    expect(await next).toMatchObject({ reason: "Transition interdite" });
    const list = await firstValueFrom(rejections$(d.db));
    expect(list.map((r) => r.reason)).toEqual(["Auteur usurpé", "Transition interdite"]);
  });

  it("tells the lists when a request changes", async () => {
    const d = await data();
    const changed = firstValueFrom(d.repo.changes$);
    await d.db.requests.insert(buildRequest("demande_generale"));
    await expect(changed).resolves.toBeDefined();
  });
});
