import { CouchError, type CouchServer } from "../couch/couch-db";
import { ensureDatabase, ensureSecurity } from "../couch/couch-docs";
import { couchRole } from "../couch/couch-roles";

/**
 * The server's own bookkeeping, in a database of its own (`guichet-<commune>-server`):
 * counters (portal tracking numbers, workstation codes), the workstation register and the
 * mail outbox. These need compare-and-swap writes, which `_local` documents do not offer on
 * CouchDB 3, and the -config / -log validation functions only accept their own document types.
 * Only the server account is a member: workstations, agents, supervisors and admins can neither
 * read nor write it (their screens ask the server's API). Membership is checked by CouchDB before
 * any document is touched, so the database needs no validation function; one would cost CouchDB a
 * JavaScript call for each of the six outbox writes of every online request (bench:portal).
 */
export const serverDatabaseName = (commune: string): string => `guichet-${commune}-server`;

export const OUTBOX_INDEX = { ddoc: "idx-outbox", name: "type-state", fields: ["type", "state"] };

/** The validation function earlier versions stored (only the server role could write). */
const OLD_VALIDATION_DDOC = "_design/guichet";

/** Idempotent: creates the database, its `_security` and its index; removes an older validation function. */
export async function ensureServerDatabase(admin: CouchServer, commune: string): Promise<string> {
  const name = serverDatabaseName(commune);
  await ensureDatabase(admin, name);
  await ensureSecurity(admin, name, {
    admins: { names: [], roles: [] },
    members: { names: [], roles: [couchRole(commune, "server")] },
  });
  const db = admin.db(name);
  const old = await db.get(OLD_VALIDATION_DDOC);
  if (old?._rev)
    await db.remove(OLD_VALIDATION_DDOC, old._rev).catch((e: unknown) => {
      // Another process starting at the same time removed it first.
      if (!(e instanceof CouchError && (e.status === 404 || e.status === 409))) throw e;
    });
  await db.createIndex({ fields: OUTBOX_INDEX.fields }, OUTBOX_INDEX.ddoc, OUTBOX_INDEX.name);
  return name;
}
