import type { Couch } from "./couch";
import { ensureDatabase, ensureDoc } from "./couch-docs";
import { PASSWORD_ITERATIONS, PASSWORD_PRF } from "./password-hashing";

/** Guichet's rules in `_users`, next to the server's own `_design/_auth`. */
export const USERS_DDOC_ID = "_design/guichet-accounts";

/**
 * Accounts are created by the administrator only (npm run user:add, bootstrap): on both servers
 * anyone may otherwise sign up with a role-less account (or re-create a deleted one). A person may
 * still update their own document, e.g. their password (the server's `_auth` rules keep them from
 * touching roles).
 */
export const USERS_VALIDATE_DOC_UPDATE = `function (_newDoc, oldDoc, userCtx) {
  if (userCtx.roles.indexOf("_admin") !== -1) return;
  if (!oldDoc || oldDoc._deleted) {
    throw({ forbidden: "Création de compte refusée : seul l'administrateur crée les comptes (npm run user:add)." });
  }
}`;

/** CouchDB 3.4's hashing of `_users` passwords: its defaults, written down so a changed ini cannot weaken them. */
export const COUCHDB_PASSWORD_SETTINGS: Record<string, string> = {
  password_scheme: "pbkdf2",
  pbkdf2_prf: PASSWORD_PRF,
  iterations: String(PASSWORD_ITERATIONS),
  upgrade_hash_on_auth: "true",
};

/**
 * Self sign-up refused in `_users` (both servers); on Apache CouchDB, its `[chttpd_auth]` hashing
 * settings on every node of the cluster. The embedded server hashes in password-hashing.ts.
 */
export async function secureUserAccounts(couch: Couch, changes: string[]): Promise<void> {
  await ensureDatabase(couch.admin, "_users");
  const ddoc = { _id: USERS_DDOC_ID, language: "javascript", validate_doc_update: USERS_VALIDATE_DOC_UPDATE };
  if (await ensureDoc(couch.admin.db("_users"), ddoc)) {
    changes.push("Base _users : création de comptes réservée à l'administrateur.");
  }
  if (couch.kind !== "couchdb") return;
  const { all_nodes: nodes } = await couch.admin.request<{ all_nodes: string[] }>("_membership");
  for (const node of nodes) {
    for (const [key, value] of Object.entries(COUCHDB_PASSWORD_SETTINGS)) {
      const path = `_node/${encodeURIComponent(node)}/_config/chttpd_auth/${key}`;
      const current = await couch.admin.request<unknown>(path).catch(() => undefined);
      if (current === value) continue;
      await couch.admin.request(path, { method: "PUT", body: value });
      changes.push(`CouchDB ${node} : chttpd_auth/${key} = ${value}.`);
    }
  }
}
