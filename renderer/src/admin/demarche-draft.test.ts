import { describe, expect, it } from "vitest";
import { demarcheAt, demarcheIssues, demarcheSchema, findDemarche } from "../../../domain/catalogue";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import {
  draftBody,
  draftFrom,
  formPath,
  keyFromLabel,
  newDraft,
  newField,
  parseOptions,
} from "./demarche-draft";

const services = DEFAULT_CATALOGUE.services;
const parse = (body: Record<string, unknown>, id: string, version: number, sensitive = false) => {
  const { baseVersion: _b, ...rest } = body;
  return demarcheSchema.parse({ ...rest, id, version, sensitive });
};

describe("the admin form's démarche draft", () => {
  it("gives back every démarche of the default catalogue unchanged when nothing is edited", () => {
    for (const d of DEFAULT_CATALOGUE.demarches) {
      const body = draftBody(draftFrom(d));
      expect(body.baseVersion).toBe(d.version);
      expect(parse(body, d.id, d.version, d.sensitive)).toEqual(d);
      expect(demarcheIssues(d, services)).toEqual([]);
    }
  });

  it("sends what the admin typed: a renamed label, a new field with its key from the label, choices", () => {
    const d = findDemarche(DEFAULT_CATALOGUE, "demande_generale")!;
    const draft = draftFrom(d);
    const added = { ...newField(), label: "Numéro de rappel", key: keyFromLabel("Numéro de rappel") };
    const choice = { ...newField(), label: "Créneau", key: "creneau", kind: "select" as const };
    const body = draftBody({
      ...draft,
      label: " Question ",
      ruleKind: "SVR",
      delay: "15",
      delayUnit: "days",
      fields: [
        { ...draft.fields[0]!, label: "Objet" },
        added,
        { ...choice, options: "Matin\napm | Après-midi" },
      ],
    });
    const parsed = parse(body, d.id, 2);
    expect(parsed.label).toBe("Question");
    expect(parsed.rule).toEqual({ kind: "SVR", days: 15 });
    expect(parsed.fields.map((f) => [f.key, f.label])).toEqual([
      ["message", "Objet"],
      ["numeroDeRappel", "Numéro de rappel"],
      ["creneau", "Créneau"],
    ]);
    expect(parsed.fields[2]?.options).toEqual([
      { value: "matin", label: "Matin" },
      { value: "apm", label: "Après-midi" },
    ]);
  });

  it("leaves non-numbers as typed so the server names the problem, and drops the delay without a rule", () => {
    const body = draftBody({ ...newDraft("accueil"), retentionDays: "un an", delay: "2" });
    expect(body.retentionDays).toBe("un an");
    expect(body.rule).toEqual({ kind: "none" });
    expect(draftBody({ ...newDraft("accueil"), retentionDays: " " }).retentionDays).toBeUndefined();
  });

  it("makes keys and choice values from French labels", () => {
    expect(keyFromLabel("Date d'arrivée prévue")).toBe("dateDArriveePrevue");
    expect(keyFromLabel("2e adresse")).toBe("eAdresse");
    expect(parseOptions("  \nÉté indien\n")).toEqual([{ value: "ete_indien", label: "Été indien" }]);
  });

  it("places the server's messages on the inputs the form has", () => {
    expect(formPath("rule.months")).toBe("rule.delay");
    expect(formPath("rule.days")).toBe("rule.delay");
    expect(formPath("sensitive")).toBe("service");
    expect(formPath("fields.2.key")).toBe("fields.2.key");
  });
});

describe("démarche checks beyond the schema, and versions", () => {
  const base = findDemarche(DEFAULT_CATALOGUE, "demande_generale")!;
  const fieldsOf = (d: typeof base) => demarcheIssues(d, services).map((i) => i.field);

  it("names the field at fault", () => {
    expect(fieldsOf({ ...base, service: "inconnu" })).toEqual(["service"]);
    expect(fieldsOf({ ...base, service: "ccas" })).toEqual(["sensitive"]);
    expect(fieldsOf({ ...base, rule: { kind: "SVA", onCorrection: "resume" } })).toEqual(["rule.months"]);
    expect(fieldsOf({ ...base, rule: { kind: "SVA", months: 2, days: 3, onCorrection: "resume" } })).toEqual([
      "rule.days",
    ]);
    expect(fieldsOf({ ...base, rule: { kind: "none", days: 3, onCorrection: "resume" } })).toEqual([
      "rule.days",
    ]);
    const field = base.fields[0]!;
    expect(fieldsOf({ ...base, fields: [field, field] })).toEqual(["fields.1.key"]);
    const select = { key: "c", label: "C", kind: "select" as const, required: true };
    expect(fieldsOf({ ...base, fields: [select] })).toEqual(["fields.0.options"]);
    const twice = [
      { value: "a", label: "A" },
      { value: "a", label: "B" },
    ];
    expect(fieldsOf({ ...base, fields: [{ ...select, options: twice }] })).toEqual(["fields.0.options"]);
  });

  it("shows a request with the version it was made with, else the current one", () => {
    const v2 = { ...base, version: 2, fields: [{ ...base.fields[0]!, label: "Objet" }] };
    const catalogue = { ...DEFAULT_CATALOGUE, demarches: [v2] };
    expect(demarcheAt(catalogue, [base], base.id, 1)).toBe(base);
    expect(demarcheAt(catalogue, [base], base.id, 2)).toBe(v2);
    expect(demarcheAt(catalogue, [], base.id, 1)).toBe(v2);
    expect(demarcheAt(catalogue, [base], "inconnue", 1)).toBeUndefined();
  });
});
