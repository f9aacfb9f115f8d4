import { z } from "zod";
import "./zod-fr";
import { correctionFor, type DeadlineRule } from "./deadlines";
import type { FieldIssue } from "./zod-fr";

/** Field kinds a démarche form can hold. Data (not code) so an admin can edit the catalogue. */
export const FIELD_KINDS = [
  "text",
  "textarea",
  "date",
  "select",
  "number",
  "email",
  "phone",
  "boolean",
] as const;

export const fieldDefSchema = z.object({
  key: z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/),
  label: z.string().min(1).max(120),
  kind: z.enum(FIELD_KINDS),
  required: z.boolean().default(false),
  options: z
    .array(z.object({ value: z.string().min(1).max(60), label: z.string().min(1).max(120) }))
    .optional(),
  maxLength: z.number().int().positive().max(5000).optional(),
  help: z.string().max(300).optional(),
});
export type FieldDef = z.infer<typeof fieldDefSchema>;

/** A rule as stored in requests (older ones may still carry a contradicting onCorrection). */
export const deadlineRuleSchema = z.strictObject({
  kind: z.enum(["SVA", "SVR", "none"]),
  months: z.number().int().min(1).max(24).optional(),
  days: z.number().int().min(1).max(365).optional(),
  onCorrection: z.enum(["resume", "restart"]).optional(),
}) satisfies z.ZodType<DeadlineRule>;

/**
 * A rule in the catalogue: what missing pieces do follows from the kind (L114-5 al. 3 for SVA,
 * al. 4 for SVR), so a contradicting onCorrection is refused rather than silently ignored.
 */
export const catalogueRuleSchema = deadlineRuleSchema.superRefine((rule, ctx) => {
  if (rule.kind === "none" || rule.onCorrection === undefined) return;
  if (rule.onCorrection === correctionFor(rule.kind)) return;
  ctx.addIssue({
    code: "custom",
    path: ["onCorrection"],
    message:
      rule.kind === "SVA"
        ? "En silence vaut acceptation, le délai repart en entier à la réception du dossier complet (L114-5, al. 3) : « reprise » n'est pas permis."
        : "En silence vaut rejet, le délai est suspendu pendant le délai imparti pour produire les pièces (L114-5, al. 4) : « redémarrage » n'est pas permis.",
  });
});

export const serviceSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_-]{1,39}$/),
  name: z.string().min(1).max(120),
  address: z.string().min(1).max(300),
  phone: z.string().min(1).max(40),
  email: z.string().email().optional(),
  /** Requests for this service replicate only to holders of its sensitive role. */
  sensitive: z.boolean().default(false),
});
export type Service = z.infer<typeof serviceSchema>;

export const demarcheSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/),
  /** Bumped on every change; a request keeps the version it was made with. */
  version: z.number().int().min(1),
  label: z.string().min(1).max(120),
  category: z.enum([
    "etat_civil",
    "elections",
    "citoyennete",
    "espace_public",
    "securite",
    "education",
    "culture",
    "social",
    "general",
  ]),
  description: z.string().max(500),
  service: z.string(),
  rule: catalogueRuleSchema,
  /** L112-3 owes an AR to every request, R112-4 lists exceptions: a property of the démarche, not a guess. */
  arOwed: z.boolean(),
  /** Days after closure before personal data is anonymised (RGPD). */
  retentionDays: z.number().int().min(1).max(3650),
  sensitive: z.boolean(),
  /** Offered on the public portal (L112-9: electronic requests go through the online procedure). */
  online: z.boolean(),
  /** Signalements need a place; duplicates are matched on it. */
  needsLocation: z.boolean().default(false),
  fields: z.array(fieldDefSchema).max(40),
});
export type Demarche = z.infer<typeof demarcheSchema>;

export const catalogueSchema = z.object({
  services: z.array(serviceSchema).min(1),
  demarches: z.array(demarcheSchema).min(1),
});
export type Catalogue = z.infer<typeof catalogueSchema>;

const MSG = {
  required: "Ce champ est obligatoire.",
  tooLong: (n: number) => `${n} caractères au maximum.`,
  date: "Date invalide (format attendu : AAAA-MM-JJ).",
  email: "Adresse électronique invalide.",
  phone: "Numéro de téléphone invalide.",
  number: "Nombre attendu.",
  option: "Choisissez une valeur dans la liste.",
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const PHONE = /^\+?[0-9 .()-]{6,20}$/;

function fieldZod(def: FieldDef): z.ZodType {
  const max = def.maxLength ?? (def.kind === "textarea" ? 4000 : 200);
  const text = z.string({ error: MSG.required }).trim().max(max, MSG.tooLong(max));
  let schema: z.ZodType;
  switch (def.kind) {
    case "text":
    case "textarea":
      schema = def.required ? text.min(1, MSG.required) : text;
      break;
    case "date":
      schema = z
        .string({ error: MSG.required })
        .regex(ISO_DATE, { error: MSG.date, abort: true })
        // Date.parse rolls 2026-02-30 over to 2 March: the day must survive the round trip.
        .refine((s) => {
          const t = Date.parse(`${s}T00:00:00Z`);
          return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === s;
        }, MSG.date);
      break;
    case "email":
      schema = z.string({ error: MSG.required }).trim().email(MSG.email);
      break;
    case "phone":
      schema = z.string({ error: MSG.required }).trim().regex(PHONE, MSG.phone);
      break;
    case "number":
      // Forms send text: "" is a missing value, and neither "" nor a boolean may become 0 or 1 (z.coerce would).
      schema = z.preprocess(
        (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v)) : v),
        z.number({ error: (issue) => (issue.input === undefined ? MSG.required : MSG.number) }),
      );
      break;
    case "boolean":
      schema = z.boolean();
      break;
    case "select": {
      const values = (def.options ?? []).map((o) => o.value);
      schema = z.string({ error: MSG.required }).refine((v) => values.includes(v), MSG.option);
      break;
    }
  }
  if (def.required) return schema;
  // Optional fields accept "" from forms and drop it.
  return z.preprocess((v) => (v === "" || v === null ? undefined : v), schema.optional());
}

/** The zod schema of a démarche's own fields, built from its data. Unknown keys are refused. */
export function demarcheFieldsSchema(d: Pick<Demarche, "fields">): z.ZodType<Record<string, unknown>> {
  const shape: Record<string, z.ZodType> = {};
  for (const f of d.fields) shape[f.key] = fieldZod(f);
  // An optional field left empty is dropped, not kept as `undefined` (a stored request's fields hold values only).
  return z
    .strictObject(shape)
    .transform((o) =>
      Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
    ) as unknown as z.ZodType<Record<string, unknown>>;
}

/** A commune's changes to the catalogue: replace or add démarches/services by id, or withdraw one. */
export const catalogueOverridesSchema = z.object({
  services: z.array(serviceSchema).default([]),
  demarches: z.array(demarcheSchema).default([]),
  withdrawn: z.array(z.string()).default([]),
});
export type CatalogueOverrides = z.infer<typeof catalogueOverridesSchema>;

export function applyOverrides(base: Catalogue, o: Partial<CatalogueOverrides>): Catalogue {
  const byId = <T extends { id: string }>(list: T[], changes: T[] = []): T[] => {
    const out = new Map(list.map((x) => [x.id, x]));
    for (const c of changes) out.set(c.id, c);
    return [...out.values()];
  };
  const withdrawn = new Set(o.withdrawn ?? []);
  const catalogue = {
    services: byId(base.services, o.services),
    demarches: byId(base.demarches, o.demarches).filter((d) => !withdrawn.has(d.id)),
  };
  const problems = catalogueProblems(catalogue);
  if (problems.length > 0) throw new Error(problems.join(" "));
  return catalogue;
}

/** Cross-references a zod object cannot check: each démarche's service exists; sensitivity agrees. */
export function catalogueProblems(c: Catalogue): string[] {
  const services = new Map(c.services.map((s) => [s.id, s]));
  const problems: string[] = [];
  for (const d of c.demarches) {
    const s = services.get(d.service);
    if (!s) problems.push(`La démarche « ${d.label} » renvoie au service inconnu « ${d.service} ».`);
    else if (s.sensitive !== d.sensitive)
      problems.push(
        `La démarche « ${d.label} » et son service « ${s.name} » doivent avoir la même sensibilité.`,
      );
    if (d.rule.kind !== "none" && !d.rule.months && !d.rule.days)
      problems.push(`La démarche « ${d.label} » doit préciser le délai de sa décision implicite.`);
  }
  return problems;
}

export const findDemarche = (c: Catalogue, id: string): Demarche | undefined =>
  c.demarches.find((d) => d.id === id);
export const findService = (c: Catalogue, id: string): Service | undefined =>
  c.services.find((s) => s.id === id);

/**
 * What a démarche must satisfy beyond its schema, each problem on the field at fault (French):
 * the admin API refuses it, the admin screen shows it next to the field.
 */
export function demarcheIssues(d: Demarche, services: readonly Service[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const service = services.find((s) => s.id === d.service);
  if (!service) issues.push({ field: "service", message: `Service « ${d.service} » inconnu.` });
  else if (service.sensitive !== d.sensitive)
    issues.push({
      field: "sensitive",
      message: `La démarche et son service « ${service.name} » doivent avoir la même sensibilité.`,
    });
  const { kind, months, days } = d.rule;
  if (kind !== "none" && months === undefined && days === undefined)
    issues.push({
      field: "rule.months",
      message: "Indiquez le délai de la décision implicite, en mois ou en jours.",
    });
  if (months !== undefined && days !== undefined)
    issues.push({ field: "rule.days", message: "Indiquez le délai en mois ou en jours, pas les deux." });
  if (kind === "none" && (months !== undefined || days !== undefined))
    issues.push({
      field: months !== undefined ? "rule.months" : "rule.days",
      message: "Sans décision implicite, aucun délai ne s'applique : laissez ce champ vide.",
    });
  const keys = new Set<string>();
  d.fields.forEach((f, i) => {
    if (keys.has(f.key))
      issues.push({ field: `fields.${i}.key`, message: `Le nom de champ « ${f.key} » est déjà utilisé.` });
    keys.add(f.key);
    const values = (f.options ?? []).map((o) => o.value);
    if (f.kind === "select" && values.length === 0)
      issues.push({
        field: `fields.${i}.options`,
        message: "Une liste de choix doit proposer au moins une valeur.",
      });
    if (new Set(values).size !== values.length)
      issues.push({ field: `fields.${i}.options`, message: "Deux choix de la liste ont la même valeur." });
  });
  return issues;
}

/**
 * The démarche as it was at `version`, for a request made with it: the current one when it is that
 * version, else an archived one; the current one (labels may have changed) when neither is known.
 */
export function demarcheAt(
  c: Catalogue,
  archived: readonly Demarche[],
  id: string,
  version: number,
): Demarche | undefined {
  const current = findDemarche(c, id);
  if (current?.version === version) return current;
  return archived.find((d) => d.id === id && d.version === version) ?? current;
}
