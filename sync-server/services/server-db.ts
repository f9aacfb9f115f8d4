import type { CouchServer } from "../couch/couch-db";
import { ensureDatabase, ensureSecurity } from "../couch/couch-docs";
import { couchRole } from "../couch/couch-roles";

/**
 * The server's own bookkeeping, in a database of its own (`guichet-<commune>-server`):
 * counters (portal tracking numbers, workstation codes), the workstation register and the
 * mail outbox. These need compare-and-swap writes, which `_local` documents do not offer on
 * CouchDB 3, and the -config / -log validation functions only accept their own document types.
 * Workstations never replicate it; supervisors may read it; only the server account writes.
 */
export const serverDatabaseName = (commune: string): string => `guichet-${commune}-server`;

const vdu = (commune: string) => `function (newDoc, oldDoc, userCtx) {
  var roles = (userCtx && userCtx.roles) || [];
  if (roles.indexOf("_admin") !== -1 || roles.indexOf(${JSON.stringify(couchRole(commune, "server"))}) !== -1) return;
  throw { forbidden: "Seul le serveur écrit dans cette base." };
}`;

export const OUTBOX_INDEX = { ddoc: "idx-outbox", name: "type-state", fields: ["type", "state"] };

/** Idempotent: creates the database, its `_security`, its validation function and index. */
export async function ensureServerDatabase(admin: CouchServer, commune: string): Promise<string> {
  const name = serverDatabaseName(commune);
  await ensureDatabase(admin, name);
  await ensureSecurity(admin, name, {
    admins: { names: [], roles: [] },
    members: {
      names: [],
      roles: [couchRole(commune, "server"), couchRole(commune, "supervisor"), couchRole(commune, "admin")],
    },
  });
  const db = admin.db(name);
  const VDU = vdu(commune);
  const ddoc = await db.get<{ validate_doc_update?: string }>("_design/guichet");
  if (ddoc?.validate_doc_update !== VDU) {
    await db.put({
      _id: "_design/guichet",
      ...(ddoc?._rev ? { _rev: ddoc._rev } : {}),
      validate_doc_update: VDU,
    });
  }
  await db.createIndex({ fields: OUTBOX_INDEX.fields }, OUTBOX_INDEX.ddoc, OUTBOX_INDEX.name);
  return name;
}
