import type { Demarche, FieldDef } from "../../../domain/catalogue";

/**
 * A démarche as the admin form holds it: text where the admin types numbers (the server says what
 * is wrong, in French), the deadline as kind + one delay + its unit. Members the form does not show
 * (category, description, AR owed, location) are carried through unchanged.
 */
export type FieldDraft = {
  /** React key: stable while the admin renames or reorders. */
  uid: string;
  /** Already in the saved version: its key is fixed (stored requests refer to it). */
  stored: boolean;
  key: string;
  /** The admin typed the key: it no longer follows the label. */
  keyTouched: boolean;
  label: string;
  kind: FieldDef["kind"];
  required: boolean;
  /** One choice per line, "valeur | Libellé" or just "Libellé". */
  options: string;
  extra: Pick<FieldDef, "maxLength" | "help">;
};

export type DemarcheDraft = {
  isNew: boolean;
  /** The version being edited (0 for a new démarche): the server refuses to save over a newer one. */
  baseVersion: number;
  id: string;
  label: string;
  service: string;
  ruleKind: Demarche["rule"]["kind"];
  delayUnit: "months" | "days";
  delay: string;
  retentionDays: string;
  online: boolean;
  fields: FieldDraft[];
  kept: Pick<Demarche, "category" | "description" | "arOwed" | "needsLocation">;
};

let uids = 0;
const nextUid = () => `champ-${++uids}`;

export function draftFrom(d: Demarche): DemarcheDraft {
  return {
    isNew: false,
    baseVersion: d.version,
    id: d.id,
    label: d.label,
    service: d.service,
    ruleKind: d.rule.kind,
    delayUnit: d.rule.days !== undefined ? "days" : "months",
    delay: String(d.rule.days ?? d.rule.months ?? ""),
    retentionDays: String(d.retentionDays),
    online: d.online,
    fields: d.fields.map((f) => ({
      uid: nextUid(),
      stored: true,
      key: f.key,
      keyTouched: true,
      label: f.label,
      kind: f.kind,
      required: f.required,
      options: optionsText(f.options ?? []),
      extra: {
        ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
        ...(f.help ? { help: f.help } : {}),
      },
    })),
    kept: {
      category: d.category,
      description: d.description,
      arOwed: d.arOwed,
      needsLocation: d.needsLocation,
    },
  };
}

export function newDraft(service: string): DemarcheDraft {
  return {
    isNew: true,
    baseVersion: 0,
    id: "",
    label: "",
    service,
    ruleKind: "none",
    delayUnit: "months",
    delay: "",
    retentionDays: "365",
    online: false,
    fields: [],
    // An AR is owed unless R112-4 says otherwise (L112-3).
    kept: { category: "general", description: "", arOwed: true, needsLocation: false },
  };
}

export function newField(): FieldDraft {
  return {
    uid: nextUid(),
    stored: false,
    key: "",
    keyTouched: false,
    label: "",
    kind: "text",
    required: false,
    options: "",
    extra: {},
  };
}

/** The label as a field key: "Numéro de rappel" → "numeroDeRappel". */
export function keyFromLabel(label: string): string {
  const words = label
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-zA-Z0-9]+/g, " ")
    .trim()
    .split(" ")
    .filter(Boolean);
  const key = words
    .map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()))
    .join("")
    .replace(/^[0-9]+/, "");
  return key.slice(0, 40);
}

const optionValue = (label: string): string =>
  label
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 60) || label;

export function parseOptions(text: string): { value: string; label: string }[] {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const bar = line.indexOf("|");
      if (bar === -1) return { value: optionValue(line), label: line };
      return { value: line.slice(0, bar).trim(), label: line.slice(bar + 1).trim() };
    });
}

export function optionsText(options: readonly { value: string; label: string }[]): string {
  return options.map((o) => `${o.value} | ${o.label}`).join("\n");
}

/** Typed digits become a number; anything else is sent as typed, for the server to name the problem. */
function numberOrText(s: string): number | string | undefined {
  const t = s.trim();
  if (t === "") return undefined;
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** What PUT /api/v1/admin/demarches/:id receives; the server sets the version and the sensitivity. */
export function draftBody(d: DemarcheDraft): Record<string, unknown> {
  const delay = numberOrText(d.delay);
  return {
    ...d.kept,
    label: d.label.trim(),
    service: d.service,
    rule: {
      kind: d.ruleKind,
      // What missing pieces do follows from the kind (L114-5): nothing to choose.
      ...(d.ruleKind !== "none" && delay !== undefined ? { [d.delayUnit]: delay } : {}),
    },
    retentionDays: numberOrText(d.retentionDays),
    online: d.online,
    fields: d.fields.map((f) => ({
      key: f.key.trim(),
      label: f.label.trim(),
      kind: f.kind,
      required: f.required,
      ...(f.kind === "select" ? { options: parseOptions(f.options) } : {}),
      ...f.extra,
    })),
    baseVersion: d.baseVersion,
  };
}

/** Where the form shows a problem the server named: both delay members sit on the one delay input. */
export function formPath(field: string): string {
  if (field === "rule.months" || field === "rule.days") return "rule.delay";
  // Sensitivity follows the service: the service is what the admin can change.
  if (field === "sensitive") return "service";
  return field;
}
