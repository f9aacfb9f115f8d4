import { isDeepStrictEqual } from "node:util";
import type { DocumentScope, ServerScope } from "nano";
import { statusOf } from "./couch";
import type { MangoIndex } from "./mango-indexes";
import type { SecurityObject } from "./security";

// Idempotent writes for bootstrap: each returns true only when it changed something.

type Doc = { _id: string; _rev?: string } & Record<string, unknown>;

export async function ensureDatabase(admin: ServerScope, name: string): Promise<boolean> {
  try {
    await admin.db.create(name);
    return true;
  } catch (e) {
    if (statusOf(e) === 412) return false; // already there
    throw e;
  }
}

export async function ensureSecurity(
  admin: ServerScope,
  db: string,
  security: SecurityObject,
): Promise<boolean> {
  const current = (await admin.request({ db, path: "_security", method: "GET" })) as unknown;
  if (isDeepStrictEqual(current, security)) return false;
  await admin.request({ db, path: "_security", method: "PUT", body: security });
  return true;
}

export async function getDoc(db: DocumentScope<unknown>, id: string): Promise<Doc | undefined> {
  try {
    return (await db.get(id)) as unknown as Doc;
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}

/** Writes `doc` unless the stored one has the same content (same revision then, across runs). */
export async function ensureDoc(db: DocumentScope<unknown>, doc: Doc): Promise<boolean> {
  const stored = await getDoc(db, doc._id);
  if (stored) {
    const { _rev, ...content } = stored;
    if (isDeepStrictEqual(content, doc)) return false;
    await db.insert({ ...doc, _rev });
  } else {
    await db.insert(doc);
  }
  return true;
}

export async function ensureIndex(db: DocumentScope<unknown>, index: MangoIndex): Promise<boolean> {
  const result = await db.createIndex({
    index: { fields: index.fields },
    ddoc: index.ddoc,
    name: index.name,
    type: "json",
  });
  return result.result === "created";
}
