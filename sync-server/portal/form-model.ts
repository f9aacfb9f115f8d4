import type { Demarche } from "../../domain/catalogue";

/**
 * The HTML form's flat names ↔ the submission's structure. Names are plain words so the form
 * still reads well when posted without JavaScript; error paths from zod map back onto them.
 */
export const CITIZEN_INPUTS = {
  nom: "citizen.lastName",
  prenom: "citizen.firstName",
  email: "citizen.email",
  telephone: "citizen.phone",
  adresse: "citizen.address.line",
  code_postal: "citizen.address.postcode",
  ville: "citizen.address.city",
} as const;

export const fieldInput = (key: string): string => `champ_${key}`;

/** Whether the démarche's own fields already ask for the place (signalements have "lieu"). */
export const hasOwnPlaceField = (d: Demarche): boolean => d.fields.some((f) => f.key === "lieu");

/** Input name that shows an error reported on a submission path. */
export function inputForPath(d: Demarche, path: string): string {
  if (path.startsWith("fields.")) return fieldInput(path.slice("fields.".length).split(".")[0] ?? "");
  for (const [input, p] of Object.entries(CITIZEN_INPUTS)) if (path === p) return input;
  if (path === "citizen.address") return "adresse";
  if (path.startsWith("location")) return hasOwnPlaceField(d) ? fieldInput("lieu") : "lieu";
  if (path === "filedBy.name") return "pour_nom";
  if (path === "filedBy.relation") return "pour_lien";
  if (path.startsWith("attachments")) return "piece";
  return "";
}

/** "25/12/2026" (what people type where the browser has no date picker) → "2026-12-25". */
export function normalizeDate(v: string): string {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v.trim());
  return m ? `${m[3]}-${m[2]?.padStart(2, "0")}-${m[1]?.padStart(2, "0")}` : v.trim();
}

/** The posted form as a submission (validated afterwards by the same schema as the JSON API). */
export function submissionFromForm(d: Demarche, form: Record<string, string>): Record<string, unknown> {
  const v = (name: string) => (form[name] ?? "").trim();
  const fields: Record<string, unknown> = {};
  for (const f of d.fields) {
    const value = form[fieldInput(f.key)];
    if (f.kind === "boolean") fields[f.key] = value === "oui";
    else if (f.kind === "date") fields[f.key] = normalizeDate(value ?? "");
    else fields[f.key] = f.kind === "textarea" ? (value ?? "").replace(/\r\n/g, "\n") : (value ?? "").trim();
  }
  const hasAddress = v("adresse") || v("code_postal") || v("ville");
  const citizen = {
    lastName: v("nom"),
    firstName: v("prenom"),
    ...(v("email") ? { email: v("email") } : {}),
    ...(v("telephone") ? { phone: v("telephone") } : {}),
    ...(hasAddress ? { address: { line: v("adresse"), postcode: v("code_postal"), city: v("ville") } } : {}),
  };
  const place =
    !hasOwnPlaceField(d) && d.needsLocation && v("lieu") ? { location: { address: v("lieu") } } : {};
  const filedBy =
    v("pour_nom") || v("pour_lien") ? { filedBy: { name: v("pour_nom"), relation: v("pour_lien") } } : {};
  return { demarche: d.id, fields, citizen, ...place, ...filedBy };
}
