import type { Couch } from "./couch";
import { communeRole, couchRole } from "./couch-roles";
import { randomPassword, readSecrets, writeSecrets } from "./secrets";
import { canLogIn, getUserDoc, saveUserDoc } from "./user-docs";

export type ServiceAccountName = "portal" | "server";
export type ServiceAccount = { name: string; password: string };

const SPECS: Record<ServiceAccountName, { env: string; secret: string }> = {
  portal: { env: "GUICHET_PORTAL_PASSWORD", secret: "portalPassword" },
  server: { env: "GUICHET_SERVER_PASSWORD", secret: "serverPassword" },
};

export const SERVICE_ACCOUNTS = Object.keys(SPECS) as ServiceAccountName[];

/** Each commune has its own accounts: bootstrapping commune B never touches A's passwords. */
export const serviceAccountName = (commune: string, kind: ServiceAccountName): string =>
  `guichet-${commune}-${kind}`;

/** Where the generated password of a commune's service account is kept in secrets.json. */
export const serviceSecretKey = (commune: string, kind: ServiceAccountName): string =>
  `${commune}:${SPECS[kind].secret}`;

/**
 * The accounts of a commune's portal and of its server jobs. Their password comes from the given
 * environment (GUICHET_PORTAL_PASSWORD…: bootstrap passes it for the commune of GUICHET_COMMUNE only),
 * else from DATA_DIR/secrets.json, else is generated there: this DATA_DIR is their source of truth,
 * so a stored account whose password does not match is given it again.
 */
export async function ensureServiceAccount(
  couch: Couch,
  kind: ServiceAccountName,
  commune: string,
  env: NodeJS.ProcessEnv,
  changes: string[],
): Promise<ServiceAccount> {
  const spec = SPECS[kind];
  const name = serviceAccountName(commune, kind);
  const key = serviceSecretKey(commune, kind);
  const fromEnv = env[spec.env]?.trim() ? env[spec.env] : undefined;
  const stored = readSecrets(couch.dataDir)[key];
  const password = fromEnv ?? stored ?? randomPassword();
  if (!fromEnv && stored !== password) writeSecrets(couch.dataDir, { [key]: password });

  // Exactly these roles: an account of this commune never holds a role of another.
  const roles = [couchRole(commune, kind), communeRole(commune)].sort();
  const doc = await getUserDoc(couch, name);
  const rolesChanged = !doc || doc.roles.slice().sort().join("\n") !== roles.join("\n");
  const passwordChanged = !doc || !(await canLogIn(couch.url, name, password));
  if (rolesChanged || passwordChanged) {
    await saveUserDoc(couch, { name, roles, ...(passwordChanged ? { password } : {}) }, doc);
    if (!doc) changes.push(`Compte de service « ${name} » créé.`);
    else {
      if (rolesChanged) changes.push(`Compte de service « ${name} » : rôles remis à jour.`);
      if (passwordChanged) changes.push(`Compte de service « ${name} » : mot de passe remis à jour.`);
    }
  }
  return { name, password };
}
