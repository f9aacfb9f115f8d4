import type { Couch } from "./couch";
import { communeRole, couchRole } from "./couch-roles";
import { randomPassword, readSecrets, writeSecrets } from "./secrets";
import { canLogIn, getUserDoc, saveUserDoc } from "./user-docs";

export type ServiceAccountName = "portal" | "server";
export type ServiceAccount = { name: ServiceAccountName; password: string };

const SPECS: Record<ServiceAccountName, { env: string; secret: string }> = {
  portal: { env: "GUICHET_PORTAL_PASSWORD", secret: "portalPassword" },
  server: { env: "GUICHET_SERVER_PASSWORD", secret: "serverPassword" },
};

export const SERVICE_ACCOUNTS = Object.keys(SPECS) as ServiceAccountName[];

/**
 * The accounts of the portal and of the server's jobs. Their password comes from the environment,
 * else from DATA_DIR/secrets.json, else is generated there: this DATA_DIR is their source of truth,
 * so a stored account whose password does not match is given it again.
 */
export async function ensureServiceAccount(
  couch: Couch,
  name: ServiceAccountName,
  commune: string,
  env: NodeJS.ProcessEnv,
  changes: string[],
): Promise<ServiceAccount> {
  const spec = SPECS[name];
  const fromEnv = env[spec.env]?.trim() ? env[spec.env] : undefined;
  const stored = readSecrets(couch.dataDir)[spec.secret];
  const password = fromEnv ?? stored ?? randomPassword();
  if (!fromEnv && stored !== password) writeSecrets(couch.dataDir, { [spec.secret]: password });

  const required = [couchRole(name), communeRole(commune)];
  const doc = await getUserDoc(couch, name);
  const roles = [...new Set([...(doc?.roles ?? []), ...required])].sort();
  const rolesChanged = !doc || roles.length !== doc.roles.length;
  const passwordChanged = !doc || !(await canLogIn(couch.url, name, password));
  if (rolesChanged || passwordChanged) {
    await saveUserDoc(couch, { name, roles, ...(passwordChanged ? { password } : {}) }, doc);
    if (!doc) changes.push(`Compte de service « ${name} » créé.`);
    else {
      if (rolesChanged) changes.push(`Compte de service « ${name} » : rôle de la commune ${commune} ajouté.`);
      if (passwordChanged) changes.push(`Compte de service « ${name} » : mot de passe remis à jour.`);
    }
  }
  return { name, password };
}
