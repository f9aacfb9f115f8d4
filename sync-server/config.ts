import path from "node:path";
import { z } from "zod";

/** What the sync-server reads from its environment, checked once at start-up. */
export type ServerConfig = {
  /** Apache CouchDB to use instead of the embedded PouchDB Server (no credentials inside). */
  couchdbUrl: string | undefined;
  adminUser: string | undefined;
  adminPassword: string | undefined;
  dataDir: string;
  /** Port of the embedded server; 0 picks a free one. */
  couchPort: number;
  corsOrigins: string[];
  commune: string;
  /**
   * GUICHET_WORKSTATION_IDENTITY: "required" (default) refuses an agent's sync that names no
   * registered workstation; "optional" only refuses revoked ones (tests and scripts that sync as agents).
   */
  workstationIdentity?: "required" | "optional";
};

const COMMUNE_ID = /^[a-z0-9][a-z0-9-]{1,39}$/;

const envSchema = z.object({
  COUCHDB_URL: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || isHttpUrl(v), "adresse http:// ou https:// complète attendue."),
  COUCHDB_ADMIN_USER: z.string().trim().min(1, "valeur vide.").optional(),
  COUCHDB_ADMIN_PASSWORD: z.string().min(1, "valeur vide.").optional(),
  GUICHET_DATA_DIR: z.string().trim().min(1, "valeur vide.").default("./.data"),
  GUICHET_COUCH_PORT: z
    .string()
    .trim()
    .default("5984")
    .refine(
      (v) => /^\d{1,5}$/.test(v) && Number(v) <= 65535,
      "port entre 0 et 65535 attendu (0 : port libre au hasard).",
    ),
  GUICHET_CORS_ORIGINS: z.string().default(""),
  GUICHET_COMMUNE: z
    .string()
    .trim()
    .default("demo")
    .refine(
      (v) => COMMUNE_ID.test(v),
      "identifiant de 2 à 40 caractères attendu (minuscules, chiffres, tirets).",
    ),
});

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

/** An origin is scheme + host (+ port), exactly as browsers send it: no path, no trailing slash. */
function parseOrigins(list: string): string[] {
  const origins = list
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  for (const o of origins) {
    let ok = false;
    try {
      const origin = new URL(o).origin;
      // Custom schemes (Electron's app://guichet) have an opaque origin "null" in WHATWG URL.
      ok = origin === o || (origin === "null" && /^[a-z][a-z0-9+.-]*:\/\/[^/]+$/.test(o));
    } catch {
      ok = false;
    }
    if (!ok)
      throw new ConfigError(
        `GUICHET_CORS_ORIGINS : « ${o} » n'est pas une origine (ex. https://mairie.example).`,
      );
  }
  return origins;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Reads and checks the environment; throws a ConfigError whose message lists every problem in French. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const blankToUndefined = (v: string | undefined) => (v === undefined || v.trim() === "" ? undefined : v);
  const parsed = envSchema.safeParse({
    COUCHDB_URL: blankToUndefined(env.COUCHDB_URL),
    COUCHDB_ADMIN_USER: blankToUndefined(env.COUCHDB_ADMIN_USER),
    COUCHDB_ADMIN_PASSWORD: blankToUndefined(env.COUCHDB_ADMIN_PASSWORD),
    GUICHET_DATA_DIR: blankToUndefined(env.GUICHET_DATA_DIR),
    GUICHET_COUCH_PORT: blankToUndefined(env.GUICHET_COUCH_PORT),
    GUICHET_CORS_ORIGINS: env.GUICHET_CORS_ORIGINS,
    GUICHET_COMMUNE: blankToUndefined(env.GUICHET_COMMUNE),
  });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `- ${i.path.join(".") || "configuration"} : ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  let couchdbUrl: string | undefined;
  let adminUser = e.COUCHDB_ADMIN_USER;
  let adminPassword = e.COUCHDB_ADMIN_PASSWORD;
  if (e.COUCHDB_URL) {
    const u = new URL(e.COUCHDB_URL);
    // Credentials in the URL win: they are the most explicit.
    if (u.username) adminUser = decodeURIComponent(u.username);
    if (u.password) adminPassword = decodeURIComponent(u.password);
    u.username = "";
    u.password = "";
    couchdbUrl = u.toString().replace(/\/+$/, "");
    if (!adminUser || !adminPassword) {
      throw new ConfigError(
        "Configuration invalide :\n- COUCHDB_URL : identifiants administrateur manquants (mettez-les dans l'adresse, " +
          "http://admin:motdepasse@hote:5984, ou dans COUCHDB_ADMIN_USER et COUCHDB_ADMIN_PASSWORD).",
      );
    }
  }
  return {
    couchdbUrl,
    adminUser,
    adminPassword,
    dataDir: path.resolve(e.GUICHET_DATA_DIR),
    couchPort: Number(e.GUICHET_COUCH_PORT),
    corsOrigins: parseOrigins(e.GUICHET_CORS_ORIGINS),
    commune: e.GUICHET_COMMUNE,
    workstationIdentity: env.GUICHET_WORKSTATION_IDENTITY?.trim() === "optional" ? "optional" : "required",
  };
}
