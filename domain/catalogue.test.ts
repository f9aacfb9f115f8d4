import { describe, expect, it } from "vitest";
import {
  applyOverrides,
  type Catalogue,
  catalogueOverridesSchema,
  catalogueProblems,
  catalogueSchema,
  type Demarche,
  demarcheFieldsSchema,
  demarcheSchema,
  type FieldDef,
  findDemarche,
  findService,
} from "./catalogue";
import { DEFAULT_CATALOGUE } from "./default-catalogue";
import { SVA_DEMARCHE, VALID_FIELDS } from "./test-fixtures";

const FIELDS: FieldDef[] = [
  { key: "nom", label: "Nom", kind: "text", required: true, maxLength: 10 },
  { key: "commentaire", label: "Commentaire", kind: "textarea", required: false },
  { key: "le", label: "Date", kind: "date", required: true },
  {
    key: "couleur",
    label: "Couleur",
    kind: "select",
    required: true,
    options: [
      { value: "rouge", label: "Rouge" },
      { value: "vert", label: "Vert" },
    ],
  },
  { key: "nombre", label: "Nombre", kind: "number", required: true },
  { key: "age", label: "Âge", kind: "number", required: false },
  { key: "courriel", label: "Courriel", kind: "email", required: false },
  { key: "tel", label: "Téléphone", kind: "phone", required: false },
  { key: "accord", label: "Accord", kind: "boolean", required: false },
];
const schema = demarcheFieldsSchema({ fields: FIELDS });
const VALID = { nom: "Martin", le: "2026-03-12", couleur: "vert", nombre: 3 };

function issues(input: unknown): { field: string; message: string }[] {
  const r = schema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => ({ field: i.path.join("."), message: i.message }));
}

describe("the default catalogue", () => {
  it("parses with catalogueSchema unchanged", () => {
    expect(catalogueSchema.parse(DEFAULT_CATALOGUE)).toEqual(DEFAULT_CATALOGUE);
  });

  it("has no cross-reference problem", () => {
    expect(catalogueProblems(DEFAULT_CATALOGUE)).toEqual([]);
  });

  it("has unique démarche and service ids", () => {
    const d = DEFAULT_CATALOGUE.demarches.map((x) => x.id);
    const s = DEFAULT_CATALOGUE.services.map((x) => x.id);
    expect(new Set(d).size).toBe(d.length);
    expect(new Set(s).size).toBe(s.length);
  });

  it("marks CCAS and police as sensitive, with their démarches", () => {
    expect(DEFAULT_CATALOGUE.services.filter((s) => s.sensitive).map((s) => s.id)).toEqual([
      "police_municipale",
      "ccas",
    ]);
    expect(DEFAULT_CATALOGUE.demarches.filter((d) => d.sensitive).map((d) => d.id)).toEqual([
      "police_doleance",
      "ccas_aide",
    ]);
  });

  it("makes financial requests SVR and signalements rule none", () => {
    expect(findDemarche(DEFAULT_CATALOGUE, "ccas_aide")?.rule).toEqual({ kind: "SVR", months: 2 });
    expect(findDemarche(DEFAULT_CATALOGUE, "aide_restauration_scolaire")?.rule.kind).toBe("SVR");
    expect(findDemarche(DEFAULT_CATALOGUE, "attestation_accueil")?.rule).toEqual({ kind: "SVR", months: 1 });
    expect(findDemarche(DEFAULT_CATALOGUE, "signalement_voirie")?.rule.kind).toBe("none");
  });

  it("owes no AR for état civil copies (R112-4)", () => {
    expect(findDemarche(DEFAULT_CATALOGUE, "acte_naissance")?.arOwed).toBe(false);
    expect(findDemarche(DEFAULT_CATALOGUE, "signalement_eclairage")?.arOwed).toBe(true);
  });

  it("accepts the sample fields of every démarche", () => {
    for (const d of DEFAULT_CATALOGUE.demarches) {
      const r = demarcheFieldsSchema(d).safeParse(VALID_FIELDS[d.id]);
      expect(r.success, d.id).toBe(true);
    }
  });

  it("is found by id, and an unknown id gives undefined", () => {
    expect(findService(DEFAULT_CATALOGUE, "ccas")?.name).toBe("Centre communal d'action sociale (CCAS)");
    expect(findService(DEFAULT_CATALOGUE, "nope")).toBeUndefined();
    expect(findDemarche(DEFAULT_CATALOGUE, "nope")).toBeUndefined();
  });
});

describe("a démarche's deadline rule (L114-5)", () => {
  const base = findDemarche(DEFAULT_CATALOGUE, "ccas_aide")!;
  const problems = (rule: object) =>
    demarcheSchema.safeParse({ ...base, rule }).error?.issues.map((i) => [i.path.join("."), i.message]) ?? [];

  it("accepts a rule without onCorrection: the kind decides", () => {
    expect(problems({ kind: "SVA", months: 2 })).toEqual([]);
    expect(problems({ kind: "SVR", months: 2 })).toEqual([]);
  });

  it("accepts the setting that agrees with the kind", () => {
    expect(problems({ kind: "SVA", months: 2, onCorrection: "restart" })).toEqual([]);
    expect(problems({ kind: "SVR", months: 2, onCorrection: "resume" })).toEqual([]);
  });

  it("refuses SVA with a resumed délai and SVR with a restarted one, in French", () => {
    expect(problems({ kind: "SVA", months: 2, onCorrection: "resume" })).toEqual([
      [
        "rule.onCorrection",
        "En silence vaut acceptation, le délai repart en entier à la réception du dossier complet (L114-5, al. 3) : « reprise » n'est pas permis.",
      ],
    ]);
    expect(problems({ kind: "SVR", months: 2, onCorrection: "restart" })).toEqual([
      [
        "rule.onCorrection",
        "En silence vaut rejet, le délai est suspendu pendant le délai imparti pour produire les pièces (L114-5, al. 4) : « redémarrage » n'est pas permis.",
      ],
    ]);
  });
});

describe("demarcheFieldsSchema", () => {
  it("accepts valid fields, trims text and coerces a typed number", () => {
    const r = schema.parse({
      ...VALID,
      nom: "  Martin ",
      nombre: "12",
      age: "7",
      courriel: " lea@example.org ",
      tel: "+33 6 12 34 56 78",
      accord: true,
    });
    expect(r).toEqual({
      nom: "Martin",
      le: "2026-03-12",
      couleur: "vert",
      nombre: 12,
      age: 7,
      courriel: "lea@example.org",
      tel: "+33 6 12 34 56 78",
      accord: true,
    });
  });

  it("drops an optional field left empty instead of keeping an undefined value", () => {
    const r = schema.parse({ ...VALID, commentaire: "", age: "", courriel: "", tel: null });
    expect(r).toStrictEqual(VALID);
    expect(Object.keys(r)).toEqual(["nom", "le", "couleur", "nombre"]);
  });

  it("refuses missing required fields with « Ce champ est obligatoire. »", () => {
    expect(issues({})).toEqual([
      { field: "nom", message: "Ce champ est obligatoire." },
      { field: "le", message: "Ce champ est obligatoire." },
      { field: "couleur", message: "Ce champ est obligatoire." },
      { field: "nombre", message: "Ce champ est obligatoire." },
    ]);
  });

  it("refuses a required text made of spaces", () => {
    expect(issues({ ...VALID, nom: "   " })).toEqual([
      { field: "nom", message: "Ce champ est obligatoire." },
    ]);
  });

  it("refuses a required number left empty rather than reading it as 0", () => {
    expect(issues({ ...VALID, nombre: "" })).toEqual([
      { field: "nombre", message: "Ce champ est obligatoire." },
    ]);
  });

  it("refuses text or a boolean in a number field", () => {
    expect(issues({ ...VALID, nombre: "douze" })).toEqual([{ field: "nombre", message: "Nombre attendu." }]);
    expect(issues({ ...VALID, nombre: true })).toEqual([{ field: "nombre", message: "Nombre attendu." }]);
  });

  it("refuses text longer than the field's maximum", () => {
    expect(issues({ ...VALID, nom: "x".repeat(11) })).toEqual([
      { field: "nom", message: "10 caractères au maximum." },
    ]);
    expect(issues({ ...VALID, commentaire: "x".repeat(4001) })).toEqual([
      { field: "commentaire", message: "4000 caractères au maximum." },
    ]);
  });

  it("refuses unknown keys", () => {
    expect(issues({ ...VALID, intrus: "x" })).toEqual([
      { field: "", message: 'Clé non reconnue : "intrus"' },
    ]);
  });

  it("refuses a value outside the select's options", () => {
    expect(issues({ ...VALID, couleur: "bleu" })).toEqual([
      { field: "couleur", message: "Choisissez une valeur dans la liste." },
    ]);
  });

  it.each(["12/03/2026", "2026-3-12", "2026-13-01", "2026-02-30", "2025-02-29", "2026-04-31"])(
    "refuses the date %s",
    (le) => {
      expect(issues({ ...VALID, le })).toEqual([
        { field: "le", message: "Date invalide (format attendu : AAAA-MM-JJ)." },
      ]);
    },
  );

  it("accepts 29 February in a leap year", () => {
    expect(issues({ ...VALID, le: "2028-02-29" })).toEqual([]);
  });

  it("refuses a bad email and a bad phone number", () => {
    expect(issues({ ...VALID, courriel: "lea@", tel: "abc" })).toEqual([
      { field: "courriel", message: "Adresse électronique invalide." },
      { field: "tel", message: "Numéro de téléphone invalide." },
    ]);
  });

  it("refuses a non-boolean in a boolean field", () => {
    expect(issues({ ...VALID, accord: "oui" })).toHaveLength(1);
    expect(issues({ ...VALID, accord: "oui" })[0]?.field).toBe("accord");
  });

  it("makes a select without options refuse every value", () => {
    const s = demarcheFieldsSchema({
      fields: [{ key: "choix", label: "Choix", kind: "select", required: true }],
    });
    expect(s.safeParse({ choix: "a" }).success).toBe(false);
  });
});

const ccas = (): Demarche => {
  const d = findDemarche(DEFAULT_CATALOGUE, "ccas_aide");
  if (!d) throw new Error("ccas_aide missing");
  return d;
};

describe("applyOverrides", () => {
  it("returns the base catalogue when nothing is overridden", () => {
    expect(applyOverrides(DEFAULT_CATALOGUE, {})).toEqual(DEFAULT_CATALOGUE);
  });

  it("replaces a service by id, keeping its place in the list", () => {
    const ccasService = findService(DEFAULT_CATALOGUE, "ccas");
    if (!ccasService) throw new Error("ccas missing");
    const c = applyOverrides(DEFAULT_CATALOGUE, {
      services: [{ ...ccasService, phone: "04 91 00 00 00", address: "2 rue Neuve, 13001 Marseille" }],
    });
    expect(findService(c, "ccas")).toEqual({
      ...ccasService,
      phone: "04 91 00 00 00",
      address: "2 rue Neuve, 13001 Marseille",
    });
    expect(c.services.map((s) => s.id)).toEqual(DEFAULT_CATALOGUE.services.map((s) => s.id));
  });

  it("replaces a démarche (new version) and adds a new one at the end", () => {
    const c = applyOverrides(DEFAULT_CATALOGUE, {
      demarches: [
        { ...ccas(), version: 2, rule: { kind: "SVR", months: 1, onCorrection: "resume" } },
        SVA_DEMARCHE,
      ],
    });
    expect(findDemarche(c, "ccas_aide")?.version).toBe(2);
    expect(findDemarche(c, "ccas_aide")?.rule).toEqual({ kind: "SVR", months: 1, onCorrection: "resume" });
    expect(c.demarches.at(-1)).toEqual(SVA_DEMARCHE);
    expect(c.demarches).toHaveLength(DEFAULT_CATALOGUE.demarches.length + 1);
  });

  it("withdraws a démarche", () => {
    const c = applyOverrides(DEFAULT_CATALOGUE, { withdrawn: ["police_doleance", "inconnue"] });
    expect(findDemarche(c, "police_doleance")).toBeUndefined();
    expect(c.demarches).toHaveLength(DEFAULT_CATALOGUE.demarches.length - 1);
  });

  it("does not modify the base catalogue", () => {
    const before = JSON.stringify(DEFAULT_CATALOGUE);
    applyOverrides(DEFAULT_CATALOGUE, { demarches: [SVA_DEMARCHE], withdrawn: ["ccas_aide"] });
    expect(JSON.stringify(DEFAULT_CATALOGUE)).toBe(before);
  });

  it("throws in French when a démarche points to an unknown service", () => {
    expect(() =>
      applyOverrides(DEFAULT_CATALOGUE, { demarches: [{ ...SVA_DEMARCHE, service: "fetes" }] }),
    ).toThrow(
      "La démarche « Autorisation d'ouverture d'une buvette temporaire » renvoie au service inconnu « fetes ».",
    );
  });

  it("throws when a démarche and its service disagree on sensitivity", () => {
    expect(() => applyOverrides(DEFAULT_CATALOGUE, { demarches: [{ ...ccas(), sensitive: false }] })).toThrow(
      "La démarche « Demande d'aide au CCAS » et son service « Centre communal d'action sociale (CCAS) » doivent avoir la même sensibilité.",
    );
  });

  it("parses overrides with defaults for the missing lists", () => {
    expect(catalogueOverridesSchema.parse({})).toEqual({ services: [], demarches: [], withdrawn: [] });
  });
});

describe("catalogueProblems", () => {
  it("lists every problem: unknown service, sensitivity, SVA without a delay", () => {
    const c: Catalogue = {
      services: DEFAULT_CATALOGUE.services,
      demarches: [
        { ...SVA_DEMARCHE, service: "nulle_part" },
        {
          ...SVA_DEMARCHE,
          id: "sans_delai",
          label: "Sans délai",
          rule: { kind: "SVA", onCorrection: "resume" },
        },
        { ...SVA_DEMARCHE, id: "sensible", label: "Sensible", sensitive: true },
      ],
    };
    expect(catalogueProblems(c)).toEqual([
      "La démarche « Autorisation d'ouverture d'une buvette temporaire » renvoie au service inconnu « nulle_part ».",
      "La démarche « Sans délai » doit préciser le délai de sa décision implicite.",
      "La démarche « Sensible » et son service « Accueil de la mairie » doivent avoir la même sensibilité.",
    ]);
  });

  it("accepts a rule in days", () => {
    const c: Catalogue = {
      services: DEFAULT_CATALOGUE.services,
      demarches: [{ ...SVA_DEMARCHE, rule: { kind: "SVR", days: 15, onCorrection: "resume" } }],
    };
    expect(catalogueProblems(c)).toEqual([]);
  });

  it("refuses, through the schema, an empty catalogue and a bad démarche id", () => {
    expect(catalogueSchema.safeParse({ services: [], demarches: [] }).success).toBe(false);
    expect(
      catalogueSchema.safeParse({ ...DEFAULT_CATALOGUE, demarches: [{ ...SVA_DEMARCHE, id: "Bad Id" }] })
        .success,
    ).toBe(false);
  });
});
