import { qualifyRole, ROLES } from "../../domain/roles";
import type { Couch } from "./couch";
import { communeRole } from "./couch-roles";
import { saveUserDoc, type UserDoc } from "./user-docs";

// Installs made before communes were named in roles (`guichet:agent`, `guichet:commune:demo`, shared
// `portal` and `server` accounts) are brought forward by the bootstrap of each commune.

const LEGACY_MEMBER_PREFIX = "guichet:commune:";
const legacyMember = (commune: string) => `${LEGACY_MEMBER_PREFIX}${commune}`;
const LEGACY_SHARED_ACCOUNTS = new Set(["portal", "server"]);

/** A role name of the unqualified era, other than the membership role. */
function isLegacyRole(role: string): boolean {
  return (
    ROLES.some((r) => role === `guichet:${r}`) ||
    role.startsWith("guichet:service:") ||
    role.startsWith("guichet:sensitive:")
  );
}

/**
 * Every account holding the old membership role of `commune` gets the commune's qualified names for
 * its old roles. The old shared `portal` and `server` accounts are deleted once no commune uses them
 * (each commune now has `guichet-<commune>-portal` and `-server`). Idempotent.
 */
export async function migrateLegacyAccounts(couch: Couch, commune: string, changes: string[]): Promise<void> {
  const users = couch.admin.db("_users");
  const all = await users.allDocs<UserDoc>({ include_docs: true });
  for (const row of all.rows) {
    const doc = row.doc ?? undefined;
    if (!doc || row.id.startsWith("_design/") || !Array.isArray(doc.roles)) continue;
    if (!doc.roles.includes(legacyMember(commune))) continue;
    const otherCommunes = doc.roles.filter(
      (r) => r.startsWith(LEGACY_MEMBER_PREFIX) && r !== legacyMember(commune),
    );
    if (LEGACY_SHARED_ACCOUNTS.has(doc.name)) {
      if (otherCommunes.length === 0) {
        await users.remove(doc._id, doc._rev ?? "");
        changes.push(`Ancien compte de service partagé « ${doc.name} » supprimé.`);
      } else {
        await saveUserDoc(
          couch,
          { name: doc.name, roles: doc.roles.filter((r) => r !== legacyMember(commune)) },
          doc,
        );
        changes.push(`Ancien compte de service partagé « ${doc.name} » : commune ${commune} retirée.`);
      }
      continue;
    }
    const qualified = doc.roles.filter(isLegacyRole).map((r) => qualifyRole(commune, r));
    // Old roles stay for the other communes still to migrate; they open nothing any more.
    const kept =
      otherCommunes.length > 0
        ? doc.roles.filter((r) => r !== legacyMember(commune))
        : doc.roles.filter((r) => !isLegacyRole(r) && !r.startsWith(LEGACY_MEMBER_PREFIX));
    const roles = [...new Set([...kept, ...qualified, communeRole(commune)])].sort();
    await saveUserDoc(couch, { name: doc.name, roles }, doc);
    changes.push(`Compte « ${doc.name} » : rôles renommés pour la commune ${commune}.`);
  }
}
