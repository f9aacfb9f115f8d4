import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { buildRequest, COMMUNE, ev, WS_A } from "../../../domain/test-fixtures";
import { openTestData } from "../../db/local-data.test-support";
import type { LocalData } from "../../db/local-database";
import { syncLedger } from "../../db/sync-ledger";
import type { Workstation } from "../shared/app-context";
import { correctRequest } from "./correct-request";
import { formFromRequest } from "./form-state";

const open: LocalData[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.db.remove();
});

describe("correcting a request the server refused", () => {
  it("keeps its number and history, re-checks the content and marks it to be pushed again", async () => {
    const data = await openTestData();
    open.push(data);
    const original = buildRequest("aide_restauration_scolaire");
    await data.repo.insert(original);
    await data.repo.addEvents(original.id, [ev.note("2026-03-12T10:00:00.000Z", "Appel de la famille")]);
    await (await syncLedger(data.db)).clearPending([original.id]);
    const stored = (await data.repo.get(original.id))!;
    const demarche = DEFAULT_CATALOGUE.demarches.find((d) => d.id === stored.demarche)!;
    const ws = {
      data,
      commune: COMMUNE,
      catalogue: DEFAULT_CATALOGUE,
      workstationCode: WS_A,
    } as unknown as Workstation;

    const bad = formFromRequest(stored, demarche);
    const refused = await correctRequest(
      ws,
      stored,
      { ...bad, citizen: { ...bad.citizen, postcode: "7501" } },
      demarche,
    );
    expect(refused).toEqual({
      ok: false,
      issues: [expect.objectContaining({ field: "citizen.address.postcode" })],
    });

    const form = formFromRequest(stored, demarche);
    const res = await correctRequest(
      ws,
      stored,
      { ...form, citizen: { ...form.citizen, lastName: "Martin-Roy" } },
      demarche,
    );
    expect(res.ok).toBe(true);
    const after = (await data.repo.get(original.id))!;
    expect(after.citizen.lastName).toBe("Martin-Roy");
    expect(after.nameKey).toBe("martin roy lea");
    expect(after.events.map((e) => e.id)).toEqual(stored.events.map((e) => e.id));
    expect(after.tracking).toBe(stored.tracking);
    expect(await (await syncLedger(data.db)).isPending(original.id)).toBe(true);
  });
});
