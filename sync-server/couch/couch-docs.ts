import { isDeepStrictEqual } from "node:util";
import { statusOf } from "./couch";
import type { CouchDb, CouchServer } from "./couch-db";
import type { MangoIndex } from "./mango-indexes";
import type { SecurityObject } from "./security";

// Idempotent writes for bootstrap: each returns true only when it changed something.

type Doc = { _id: string; _rev?: string } & Record<string, unknown>;

export async function ensureDatabase(admin: CouchServer, name: string): Promise<boolean> {
  try {
    await admin.request(encodeURIComponent(name), { method: "PUT" });
    return true;
  } catch (e) {
    if (statusOf(e) === 412) return false; // already there
    throw e;
  }
}

export async function ensureSecurity(
  admin: CouchServer,
  db: string,
  security: SecurityObject,
): Promise<boolean> {
  const path = `${encodeURIComponent(db)}/_security`;
  const current = await admin.request<unknown>(path);
  if (isDeepStrictEqual(current, security)) return false;
  await admin.request(path, { method: "PUT", body: security });
  return true;
}

/** The document, or undefined when absent (or deleted). */
export async function getDoc(db: CouchDb, id: string): Promise<Doc | undefined> {
  return (await db.get<Doc>(id)) ?? undefined;
}

/** Every database of the server. */
export function listDatabases(admin: CouchServer): Promise<string[]> {
  return admin.request<string[]>("_all_dbs");
}

export async function deleteDatabase(admin: CouchServer, name: string): Promise<void> {
  await admin.request(encodeURIComponent(name), { method: "DELETE" });
}

/** Writes `doc` unless the stored one has the same content (same revision then, across runs). */
export async function ensureDoc(db: CouchDb, doc: Doc): Promise<boolean> {
  const stored = await getDoc(db, doc._id);
  if (stored) {
    const { _rev, ...content } = stored;
    if (isDeepStrictEqual(content, doc)) return false;
    await db.put({ ...doc, _rev });
  } else {
    await db.put(doc);
  }
  return true;
}

export async function ensureIndex(db: CouchDb, index: MangoIndex): Promise<boolean> {
  const result = await db.createIndex({ fields: index.fields }, index.ddoc, index.name);
  return result.result === "created";
}
