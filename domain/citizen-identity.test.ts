import { describe, expect, it } from "vitest";
import { citizenKeys, phoneKey, sameCitizen } from "./citizen-identity";

const eloise = { firstName: "Éloïse", lastName: "Lefèvre-Müller" };

describe("one citizen across channels", () => {
  it("reads a French phone number the same however it is written", () => {
    expect(phoneKey("+33 6 12 34 56 78")).toBe("0612345678");
    expect(phoneKey("0033 (6) 12-34-56-78")).toBe("0612345678");
    expect(phoneKey("06.12.34.56.78")).toBe("0612345678");
    expect(phoneKey("12 34")).toBeUndefined();
  });

  it("matches by email, by phone, or by name and address, never by name alone", () => {
    const byMail = { ...eloise, email: "Eloise.LM@Example.org" };
    expect(
      sameCitizen(byMail, { firstName: "E.", lastName: "Muller", email: "eloise.lm@example.org " }),
    ).toBe(true);
    expect(
      sameCitizen({ ...eloise, phone: "+33 6 12 34 56 78" }, { ...eloise, phone: "06 12 34 56 78" }),
    ).toBe(true);
    const home = { line: "12, rue de la Paix", postcode: "75002", city: "Paris" };
    expect(
      sameCitizen(
        { ...eloise, address: home },
        {
          firstName: "eloise",
          lastName: "LEFEVRE MULLER",
          address: { line: "12 Rue de la paix", postcode: "75002", city: "PARIS" },
        },
      ),
    ).toBe(true);
    expect(sameCitizen(eloise, { ...eloise })).toBe(false);
    expect(
      sameCitizen({ ...eloise, address: home }, { ...eloise, address: { ...home, postcode: "75003" } }),
    ).toBe(false);
    expect(citizenKeys({ ...eloise, address: home }).nameAddress).toBe(
      "lefevre_muller_eloise|12_rue_de_la_paix|75002",
    );
  });
});
