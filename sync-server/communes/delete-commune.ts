import { checkCommuneId, isCommuneDatabase } from "../couch/commune-id";
import type { Couch } from "../couch/couch";
import { deleteDatabase, listDatabases } from "../couch/couch-docs";
import { communeRolePrefix } from "../couch/couch-roles";
import { removeSecrets } from "../couch/secrets";
import { SERVICE_ACCOUNTS, serviceAccountName } from "../couch/service-accounts";
import { saveUserDoc, type UserDoc } from "../couch/user-docs";
import { unregisterCommune } from "./registry";

export type DeleteResult = { databases: string[]; accountsDeleted: string[]; accountsUpdated: string[] };

/**
 * Deletes a commune: its databases (main, -config, -log, -server, every -s-<service>), its service
 * accounts and secrets, its roles on every account (an account left with no commune is deleted), and
 * its registry entry. Nothing of another commune is touched: database names and role names are
 * matched exactly (see commune-id.ts), never by a loose prefix.
 */
export async function deleteCommune(
  couch: Couch,
  commune: string,
  options: { settleMs?: number } = {},
): Promise<DeleteResult> {
  checkCommuneId(commune);
  // First out of the registry, then a pause: running servers (which follow the registry) stop
  // serving it before its databases go. A last checkpoint written meanwhile would recreate a
  // database on PouchDB Server, which creates databases on write: a second sweep removes it.
  const registered = await unregisterCommune(couch, commune);
  const settleMs = options.settleMs ?? 3_000;
  if (registered) await new Promise((r) => setTimeout(r, settleMs));
  const databases = await destroyDatabases(couch, commune);
  if (registered) {
    await new Promise((r) => setTimeout(r, Math.min(settleMs, 1_000)));
    for (const name of await destroyDatabases(couch, commune))
      if (!databases.includes(name)) databases.push(name);
  }

  const prefix = communeRolePrefix(commune);
  const serviceAccounts = new Set(SERVICE_ACCOUNTS.map((kind) => serviceAccountName(commune, kind)));
  const users = couch.admin.db("_users");
  const accountsDeleted: string[] = [];
  const accountsUpdated: string[] = [];
  for (const row of (await users.allDocs<UserDoc>({ include_docs: true })).rows) {
    const doc = row.doc ?? undefined;
    if (!doc || row.id.startsWith("_design/") || !Array.isArray(doc.roles)) continue;
    const owned = serviceAccounts.has(doc.name) || doc.roles.some((r) => r.startsWith(prefix));
    if (!owned) continue;
    const rest = doc.roles.filter((r) => !r.startsWith(prefix));
    if (serviceAccounts.has(doc.name) || !rest.some((r) => r.startsWith("guichet:"))) {
      await users.remove(doc._id, doc._rev ?? "");
      accountsDeleted.push(doc.name);
    } else {
      await saveUserDoc(couch, { name: doc.name, roles: rest }, doc);
      accountsUpdated.push(doc.name);
    }
  }
  removeSecrets(couch.dataDir, (key) => key.startsWith(`${commune}:`));
  return { databases, accountsDeleted, accountsUpdated };
}

async function destroyDatabases(couch: Couch, commune: string): Promise<string[]> {
  const all = await listDatabases(couch.admin);
  const databases = all.filter((name) => isCommuneDatabase(name, commune));
  for (const name of databases) await deleteDatabase(couch.admin, name);
  return databases;
}
