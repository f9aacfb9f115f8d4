import { z } from "zod";
import type { FieldError, WorkstationConfig } from "./guichet-api";
import { checkSyncOrigin, checkSyncUrl, MAX_URL_LENGTH } from "./url-policy";

/** Same rule as the sync-server's GUICHET_COMMUNE. */
export const COMMUNE_ID = /^[a-z0-9][a-z0-9-]{1,39}$/;
/** Same limit as the server's workstation registration. */
export const MAX_WORKSTATION_NAME = 80;
export const MAX_COUCH_ORIGINS = 8;

export const DEFAULT_CONFIG: WorkstationConfig = Object.freeze({
  serverUrl: "",
  workstationName: "",
  communeId: "",
  couchOrigins: [],
}) as WorkstationConfig;

const text = (what: string) => z.string({ error: `${what} : texte attendu.` });

const serverUrl = text("adresse du serveur")
  .max(MAX_URL_LENGTH, `adresse trop longue (${MAX_URL_LENGTH} caractères au maximum).`)
  .transform((v, ctx) => {
    if (v.trim() === "") return "";
    const checked = checkSyncUrl(v);
    if (checked.ok) return checked.url;
    ctx.addIssue({ code: "custom", message: checked.message });
    return z.NEVER;
  });

const workstationName = text("nom du poste")
  .max(1000, `${MAX_WORKSTATION_NAME} caractères au maximum.`)
  .transform((v) => v.trim())
  .refine((v) => v.length <= MAX_WORKSTATION_NAME, `${MAX_WORKSTATION_NAME} caractères au maximum.`)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "caractères de contrôle interdits.");

const communeId = text("identifiant de la commune")
  .max(100, "identifiant de 2 à 40 caractères attendu.")
  .transform((v) => v.trim())
  .refine(
    (v) => v === "" || COMMUNE_ID.test(v),
    "identifiant de 2 à 40 caractères attendu (minuscules, chiffres, tirets).",
  );

const couchOrigin = text("origine CouchDB")
  .max(MAX_URL_LENGTH, "origine trop longue.")
  .transform((v, ctx) => {
    const checked = checkSyncOrigin(v);
    if (checked.ok) return checked.origin;
    ctx.addIssue({ code: "custom", message: checked.message });
    return z.NEVER;
  });

const couchOrigins = z
  .array(couchOrigin, { error: "liste d'origines attendue." })
  .max(MAX_COUCH_ORIGINS, `${MAX_COUCH_ORIGINS} origines au maximum.`)
  .transform((list) => [...new Set(list)]);

const fields = { serverUrl, workstationName, communeId, couchOrigins };

export const workstationConfigSchema = z.strictObject(fields, {
  error: (issue) =>
    issue.code === "unrecognized_keys"
      ? `champ inconnu : ${issue.keys.join(", ")}.`
      : "configuration attendue (objet avec serverUrl, workstationName, communeId, couchOrigins).",
});

// The hand-written API type and the schema must describe the same object.
type Parsed = z.output<typeof workstationConfigSchema>;
const _sameShape: [Parsed, WorkstationConfig] = [{} as WorkstationConfig, {} as Parsed];
void _sameShape;

export type ConfigParse = { ok: true; config: WorkstationConfig } | { ok: false; errors: FieldError[] };

/** Validation of a whole configuration, with French messages per field (for the settings form). */
export function parseWorkstationConfig(input: unknown): ConfigParse {
  const parsed = workstationConfigSchema.safeParse(input);
  if (parsed.success) return { ok: true, config: parsed.data };
  return {
    ok: false,
    errors: parsed.error.issues.map((i) => ({
      field: i.path.length > 0 ? i.path.map(String).join(".") : "configuration",
      message: i.message,
    })),
  };
}

/**
 * Reading a stored file: every valid field is kept, every invalid or missing one takes its default,
 * so one bad value does not wipe the rest. `invalid` lists what was replaced.
 */
export function salvageWorkstationConfig(input: unknown): { config: WorkstationConfig; invalid: string[] } {
  const record = input !== null && typeof input === "object" && !Array.isArray(input) ? input : {};
  const config: WorkstationConfig = { ...DEFAULT_CONFIG, couchOrigins: [] };
  const invalid: string[] = [];
  for (const key of Object.keys(fields) as (keyof typeof fields)[]) {
    if (!Object.hasOwn(record, key)) continue;
    const value: unknown = (record as Record<string, unknown>)[key];
    const parsed = fields[key].safeParse(value);
    if (!parsed.success) invalid.push(key);
    else Object.assign(config, { [key]: parsed.data });
  }
  return { config, invalid };
}

/** What the renderer may connect to: the sync server's origin and the CouchDB origins. */
export function connectOriginsOf(config: WorkstationConfig): string[] {
  const origins: string[] = [];
  const server = config.serverUrl ? checkSyncUrl(config.serverUrl) : null;
  if (server?.ok) origins.push(server.origin);
  for (const o of config.couchOrigins) if (!origins.includes(o)) origins.push(o);
  return origins;
}
