import { ROLES, type Role } from "../../domain/roles";
import { readCommuneConfig } from "./config-docs";
import type { Couch } from "./couch";
import { statusOf } from "./couch";
import { communeRole, couchRole, sensitiveRole, serviceRole } from "./couch-roles";
import { databaseNames } from "./database-names";
import { MIN_PASSWORD_LENGTH } from "./password-hashing";
import { getUserDoc, saveUserDoc } from "./user-docs";

export type NewUser = {
  name: string;
  password: string;
  roles: Role[];
  /** Services the person works for: required for a service agent. */
  services?: string[];
  commune: string;
};

export type AddUserResult = { created: boolean; couchRoles: string[] };

const USERNAME = /^[a-z0-9][a-z0-9._@-]*$/;

/**
 * Creates or updates an account of a commune in `_users`. Its CouchDB roles are computed here and
 * replace the stored ones: `guichet:C:member`, `guichet:C:<role>` for each role, and per service
 * `guichet:C:service:<s>` plus, for a sensitive service, `guichet:C:sensitive:<s>`. An account
 * belongs to one commune: a name already used by another commune (or by its service accounts) is refused.
 */
export async function addUser(couch: Couch, user: NewUser): Promise<AddUserResult> {
  const problems = userProblems(user);
  if (problems.length > 0) throw new Error(problems.join("\n"));
  const couchRoles = await couchRolesFor(couch, user);
  const existing = await getUserDoc(couch, user.name);
  const owner = existing ? otherCommuneOf(existing.roles, user.commune) : null;
  if (owner !== null) {
    throw new Error(
      `L'identifiant « ${user.name} » est déjà pris par un compte d'une autre commune : choisissez-en un autre.`,
    );
  }
  await saveUserDoc(couch, { name: user.name, roles: couchRoles, password: user.password }, existing);
  return { created: !existing, couchRoles };
}

/** An account's CouchDB roles (see addUser); throws in French on a service the catalogue lacks. */
export async function couchRolesFor(
  couch: Couch,
  user: Pick<NewUser, "roles" | "services" | "commune">,
): Promise<string[]> {
  const catalogue = await communeCatalogue(couch, user.commune);
  const services = [...new Set(user.services ?? [])];
  const sensitive = new Set(catalogue.services.filter((s) => s.sensitive).map((s) => s.id));
  for (const s of services) {
    if (!catalogue.services.some((x) => x.id === s)) {
      const known = catalogue.services.map((x) => x.id).join(", ");
      throw new Error(`Service « ${s} » inconnu dans le catalogue de ${user.commune} (services : ${known}).`);
    }
  }
  const couchRoles = [
    ...new Set([
      communeRole(user.commune),
      ...user.roles.map((r) => couchRole(user.commune, r)),
      ...services.map((s) => serviceRole(user.commune, s)),
      ...services.filter((s) => sensitive.has(s)).map((s) => sensitiveRole(user.commune, s)),
    ]),
  ].sort();
  return couchRoles;
}

/** What is wrong with an account before any server is asked (French, one line each). */
export function userProblems(user: Pick<NewUser, "name" | "password" | "roles" | "services">): string[] {
  const problems: string[] = [];
  if (!USERNAME.test(user.name) || user.name.length > 80) {
    problems.push(
      `Identifiant « ${user.name} » invalide : minuscules, chiffres et . _ @ - (80 caractères au plus), commençant par une lettre ou un chiffre.`,
    );
  }
  if (user.password.length < MIN_PASSWORD_LENGTH) {
    problems.push(`Mot de passe trop court : ${MIN_PASSWORD_LENGTH} caractères au minimum.`);
  }
  if (user.roles.length === 0) problems.push(`Indiquez au moins un rôle (${ROLES.join(", ")}).`);
  for (const r of user.roles)
    if (!ROLES.includes(r)) problems.push(`Rôle « ${r} » inconnu (${ROLES.join(", ")}).`);
  if (user.roles.includes("service_agent") && (user.services ?? []).length === 0) {
    problems.push("Un agent de service doit être rattaché à au moins un service (--service).");
  }
  return problems;
}

async function communeCatalogue(couch: Couch, commune: string) {
  try {
    const { catalogue } = await readCommuneConfig(couch.admin.db(databaseNames(commune).config));
    if (catalogue) return catalogue;
  } catch (e) {
    if (statusOf(e) !== 404) throw e;
  }
  throw new Error(
    `La commune « ${commune} » n'est pas initialisée : lancez d'abord npm run server:bootstrap.`,
  );
}

/** The other commune an existing account belongs to ("serveur" for a server admin), if any. */
function otherCommuneOf(roles: readonly string[], commune: string): string | null {
  if (roles.includes("_admin")) return "serveur";
  for (const role of roles) {
    const parts = role.split(":");
    if (parts[0] !== "guichet" || parts.length < 3) continue;
    // Legacy names (before communes were named): only `guichet:commune:<c>` says which commune.
    const owner = parts[1] === "commune" ? parts[2] : LEGACY_KINDS.has(parts[1] ?? "") ? null : parts[1];
    if (owner && owner !== commune) return owner;
  }
  return null;
}

const LEGACY_KINDS = new Set(["service", "sensitive"]);
