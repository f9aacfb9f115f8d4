import { describe, expect, it } from "vitest";
import type { Citizen } from "../../domain/request";
import { buildRequest, WS_A } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { findCitizenRequests } from "./citizen-requests";
import { localDataPerTest } from "./local-data.test-support";

const data = localDataPerTest();

function filed(seq: number, citizen: Citizen, channel: "guichet" | "telephone" | "courriel", day: number) {
  return buildRequest("demande_generale", {
    content: { subject: `Demande ${seq}`, citizen, channel },
    ctx: {
      tracking: makeTrackingNumber(WS_A, seq),
      now: `2026-03-${String(day).padStart(2, "0")}T09:00:00.000Z`,
    },
  });
}

describe("one citizen's requests", () => {
  it("gathers the same person's requests across channels by email, phone or name and address, latest first", async () => {
    const d = await data();
    const home = { line: "12 rue de la Paix", postcode: "75002", city: "Paris" };
    const atCounter = filed(
      1,
      { firstName: "Éloïse", lastName: "Lefèvre-Müller", address: home },
      "guichet",
      2,
    );
    const byPhone = filed(
      2,
      {
        firstName: "Eloise",
        lastName: "LEFEVRE MULLER",
        address: { ...home, line: "12, Rue de la Paix" },
        phone: "06 12 34 56 78",
      },
      "telephone",
      5,
    );
    const byMail = filed(
      3,
      { firstName: "É.", lastName: "Müller", phone: "+33 6 12 34 56 78", email: "eloise@example.org" },
      "courriel",
      9,
    );
    const laterMail = filed(
      4,
      { firstName: "E", lastName: "LM", email: "ELOISE@example.org" },
      "courriel",
      12,
    );
    // Same name, elsewhere, no shared contact: someone else.
    const namesake = filed(
      5,
      {
        firstName: "Éloïse",
        lastName: "Lefèvre-Müller",
        address: { ...home, postcode: "69001", city: "Lyon" },
      },
      "guichet",
      3,
    );
    await d.repo.bulkInsert([atCounter, byPhone, byMail, laterMail, namesake]);

    // From the counter request: its name and address lead to the phone call, whose number leads… only
    // to what matches the counter request itself (no chaining: one person's own details decide).
    expect((await findCitizenRequests(d, atCounter.citizen)).map((r) => r.id)).toEqual([
      byPhone.id,
      atCounter.id,
    ]);
    expect((await findCitizenRequests(d, byPhone.citizen)).map((r) => r.id)).toEqual([
      byMail.id,
      byPhone.id,
      atCounter.id,
    ]);
    expect((await findCitizenRequests(d, byMail.citizen)).map((r) => r.id)).toEqual([
      laterMail.id,
      byMail.id,
      byPhone.id,
    ]);
    expect((await findCitizenRequests(d, namesake.citizen)).map((r) => r.id)).toEqual([namesake.id]);
  });
});
