import { describe, expect, it } from "vitest";
import {
  agentCardSchema,
  assignableTo,
  communePostalAddress,
  communeSchema,
  DEMO_COMMUNE,
  identityGaps,
  identityProblem,
  letterhead,
  tribunalText,
} from "./commune";
import { COMMUNE } from "./test-fixtures";

describe("a commune's identity", () => {
  it("is complete for a real commune with every legal field", () => {
    expect(identityGaps(COMMUNE)).toEqual([]);
    expect(identityProblem(COMMUNE)).toBeNull();
    expect(communePostalAddress(COMMUNE)).toBe("1 place Jean-Jaurès, 93100 Montreuil");
    expect(tribunalText(COMMUNE)).toBe(
      "Tribunal administratif de Montreuil, 7 rue Catherine Puig, 93100 Montreuil",
    );
    expect(letterhead(COMMUNE)[3]).toBe("https://www.montreuil.example");
  });

  it("lets the demo commune through (its documents are labelled instead)", () => {
    expect(identityGaps(DEMO_COMMUNE)).toEqual([]);
    expect(identityProblem(DEMO_COMMUNE)).toBeNull();
  });

  it("counts blank fields and the demo's placeholders as missing for a real commune", () => {
    const { demo: _d, ...copied } = DEMO_COMMUNE;
    expect(identityGaps({ ...copied, name: "Mairie de Bagnolet", town: " " })).toEqual([
      "adresse de la mairie",
      "code postal",
      "ville",
      "téléphone",
      "adresse électronique",
      "tribunal administratif compétent",
      "adresse du tribunal administratif",
    ]);
    expect(identityProblem({ ...COMMUNE, postcode: undefined })).toContain("« Administration › Commune »");
  });

  it("refuses a bad postcode or logo in French, and a service account's role on an agent", () => {
    const postcode = communeSchema.safeParse({ ...COMMUNE, postcode: "931" });
    expect(postcode.error?.issues[0]?.message).toBe("Code postal : 5 chiffres.");
    const logo = communeSchema.safeParse({ ...COMMUNE, logo: "data:image/svg+xml;base64,PHN2Zz4=" });
    expect(logo.error?.issues[0]?.message).toBe("Logo : une image PNG ou JPEG.");
    const card = { username: "a.b", firstName: "A", lastName: "B", position: "C", services: [] };
    expect(agentCardSchema.safeParse({ ...card, roles: ["agent"] }).success).toBe(true);
    expect(agentCardSchema.safeParse({ ...card, roles: ["server"] }).error?.issues[0]?.message).toBe(
      "Rôle réservé aux comptes de service.",
    );
  });
});

describe("assignableTo", () => {
  const card = (username: string, lastName: string, services: string[], disabled?: boolean) => ({
    username,
    firstName: "A",
    lastName,
    position: "agent",
    roles: ["service_agent" as const],
    services,
    ...(disabled ? { disabled } : {}),
  });

  it("offers the active agents of the chosen service only, by name, and nothing to check without a directory", () => {
    expect(assignableTo(DEMO_COMMUNE, "scolaire")).toBeNull();
    const commune = {
      ...DEMO_COMMUNE,
      agents: [
        card("zoe", "Zola", ["scolaire"]),
        card("bea", "Bernard", ["scolaire", "etat_civil"]),
        card("parti", "Aubert", ["scolaire"], true),
        card("eric", "Martin", ["etat_civil"]),
      ],
    };
    expect(assignableTo(commune, "scolaire")?.map((a) => a.username)).toEqual(["bea", "zoe"]);
    expect(assignableTo(commune, "bibliotheque")).toEqual([]);
  });
});
