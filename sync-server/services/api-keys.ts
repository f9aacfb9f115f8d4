import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { CouchDb, CouchServer } from "../couch/couch-db";
import { ensureDatabase, ensureSecurity } from "../couch/couch-docs";
import { couchRole } from "../couch/couch-roles";

/**
 * Open311 API keys, one per application (a city app, FixMyStreet…). Kept in a database of their
 * own, `guichet-<commune>-apikeys`, whose only members are the server account and admins: the
 * -server database is readable by supervisors and -config by every workstation. Only the SHA-256
 * of the secret is stored (the secret is 32 random bytes: a slow hash would add nothing); the
 * key itself is shown once, when issued.
 */
export const apiKeyDatabaseName = (commune: string): string => `guichet-${commune}-apikeys`;

/** Only the commune's server account (and the server administrator) writes keys. */
const keysValidation = (commune: string) => `function (newDoc, oldDoc, userCtx) {
  var roles = (userCtx && userCtx.roles) || [];
  if (roles.indexOf("_admin") !== -1 || roles.indexOf(${JSON.stringify(couchRole(commune, "server"))}) !== -1) return;
  throw { forbidden: "Seul le serveur écrit dans cette base." };
}`;

const KEY_PREFIX = "apikey:";
const SETTINGS_ID = "settings";

export const applicationName = z
  .string()
  .trim()
  .min(1, "Indiquez le nom de l'application.")
  .max(80, "80 caractères au maximum.")
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  .regex(/^[^\u0000-\u001f\u007f]*$/, "Caractère non autorisé.");

/** One issued key, as stored (never the secret). */
export const apiKeySchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{12}$/),
  application: applicationName,
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().optional(),
  revokedBy: z.string().optional(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const apiKeySettingsSchema = z.strictObject({
  requireKey: z.boolean({ error: "requireKey : oui (true) ou non (false)." }),
});
export type ApiKeySettings = z.infer<typeof apiKeySettingsSchema>;

/** Idempotent: the database, its members (server account and admins only) and its validation. */
export async function ensureApiKeyDatabase(admin: CouchServer, commune: string): Promise<CouchDb> {
  const name = apiKeyDatabaseName(commune);
  await ensureDatabase(admin, name);
  await ensureSecurity(admin, name, {
    // No database admin but the server's: no role stores a design function.
    admins: { names: [], roles: [] },
    members: { names: [], roles: [couchRole(commune, "server"), couchRole(commune, "admin")] },
  });
  const db = admin.db(name);
  const ddoc = await db.get<{ validate_doc_update?: string }>("_design/guichet");
  const VDU = keysValidation(commune);
  if (ddoc?.validate_doc_update !== VDU) {
    await db.put({
      _id: "_design/guichet",
      ...(ddoc?._rev ? { _rev: ddoc._rev } : {}),
      validate_doc_update: VDU,
    });
  }
  return db;
}

const sha256 = (s: string): string => createHash("sha256").update(s).digest("hex");

/** The keys of one commune, read and written as the server account. */
export class ApiKeys {
  constructor(private readonly db: CouchDb) {}

  async settings(): Promise<ApiKeySettings> {
    const doc = await this.db.get<ApiKeySettings>(SETTINGS_ID);
    return { requireKey: doc?.requireKey === true };
  }

  async setSettings(next: ApiKeySettings): Promise<void> {
    const doc = await this.db.get(SETTINGS_ID);
    await this.db.put({ _id: SETTINGS_ID, ...(doc?._rev ? { _rev: doc._rev } : {}), ...next });
  }

  async list(): Promise<ApiKey[]> {
    const res = await this.db.allDocs<ApiKey>({
      startkey: KEY_PREFIX,
      endkey: `${KEY_PREFIX}\ufff0`,
      include_docs: true,
    });
    return res.rows
      .map((r) => apiKeySchema.safeParse(strip(r.doc)))
      .filter((p) => p.success)
      .map((p) => p.data)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** A new key: `<id>.<secret>`, returned once; only the secret's hash is kept. */
  async issue(application: string, by: string, now: Date): Promise<{ key: string; record: ApiKey }> {
    const id = randomBytes(6).toString("hex");
    const secret = randomBytes(32).toString("base64url");
    const record: ApiKey = {
      id,
      application,
      hash: sha256(secret),
      createdAt: now.toISOString(),
      createdBy: by,
    };
    await this.db.put({ _id: `${KEY_PREFIX}${id}`, ...record });
    return { key: `${id}.${secret}`, record };
  }

  /** False when there is no such key; revoking twice keeps the first date. */
  async revoke(id: string, by: string, now: Date): Promise<ApiKey | null> {
    if (!/^[0-9a-f]{12}$/.test(id)) return null;
    const doc = await this.db.get<ApiKey>(`${KEY_PREFIX}${id}`);
    if (!doc) return null;
    if (doc.revokedAt) return apiKeySchema.parse(strip(doc));
    const next = { ...doc, revokedAt: now.toISOString(), revokedBy: by };
    await this.db.put(next);
    return apiKeySchema.parse(strip(next));
  }

  /** The application a key belongs to, or null (unknown, malformed or revoked key). */
  async verify(key: string): Promise<{ keyId: string; name: string } | null> {
    const m = /^([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/.exec(key.trim());
    if (!m?.[1] || !m[2]) return null;
    const doc = await this.db.get<ApiKey>(`${KEY_PREFIX}${m[1]}`);
    if (!doc || doc.revokedAt || typeof doc.hash !== "string") return null;
    const same = timingSafeEqual(Buffer.from(sha256(m[2]), "hex"), Buffer.from(doc.hash, "hex"));
    return same ? { keyId: m[1], name: doc.application } : null;
  }
}

function strip(doc: unknown): unknown {
  if (!doc || typeof doc !== "object") return doc;
  const { _id: _i, _rev: _r, ...rest } = doc as Record<string, unknown>;
  return rest;
}
