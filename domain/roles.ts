/**
 * Roles, enforced by the database (`_security` + validate_doc_update) and not only by the UI.
 * - agent: reception at the counter, records requests for every service
 * - service_agent: handles the requests of their own service(s)
 * - supervisor: everything, plus statistics, reassignment, deletion
 * - admin: accounts and catalogue
 * - portal: the public portal's service account (creates online requests only)
 * - server: the sync-server's jobs (AR sending, deadlines, retention)
 */
export const ROLES = ["agent", "service_agent", "supervisor", "admin", "portal", "server"] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  agent: "Agent d'accueil",
  service_agent: "Agent de service",
  supervisor: "Encadrant",
  admin: "Administrateur",
  portal: "Portail en ligne",
  server: "Serveur",
};

/**
 * Local role names (`guichet:<role>`, `guichet:service:<s>`, `guichet:sensitive:<s>`): how the rules
 * read an account's roles once narrowed to one commune by `localRoles`. In CouchDB every name carries
 * its commune (`guichet:<commune>:<role>`, see sync-server/couch-roles.ts), so a role of one commune
 * never opens another's databases.
 */
export const couchRole = (role: Role): string => `guichet:${role}`;

/** Sensitive services (CCAS, police) need this role in addition, per service. */
export const sensitiveRole = (service: string): string => `guichet:sensitive:${service}`;

const LOCAL_PREFIX = "guichet:";

/** The CouchDB name of a local role name in `commune` (`guichet:agent` → `guichet:<commune>:agent`). */
export const qualifyRole = (commune: string, local: string): string =>
  `${LOCAL_PREFIX}${commune}:${local.startsWith(LOCAL_PREFIX) ? local.slice(LOCAL_PREFIX.length) : local}`;

/**
 * An account's roles in `commune`, in local form: `_admin` is kept, roles of other communes and
 * unqualified names (installs before communes were named) are dropped.
 */
export function localRoles(couchRoles: readonly string[], commune: string): string[] {
  const prefix = `${LOCAL_PREFIX}${commune}:`;
  const out: string[] = [];
  for (const r of couchRoles) {
    if (r === "_admin") out.push(r);
    else if (r.startsWith(prefix)) out.push(`${LOCAL_PREFIX}${r.slice(prefix.length)}`);
  }
  return out;
}

/** Reads local role names (see `localRoles`). */
export function rolesFromCouch(couchRoles: readonly string[]): Role[] {
  const found = new Set<Role>();
  for (const r of couchRoles) {
    if (r === "_admin") {
      found.add("admin");
      found.add("supervisor");
      found.add("server");
    }
    for (const role of ROLES) if (r === couchRole(role)) found.add(role);
    // The server lets admins act as supervisors (validate_doc_update); the UI must offer the same.
    if (r === couchRole("admin")) found.add("supervisor");
  }
  return [...found];
}

/** CouchDB role of a service agent's service (couch-roles.ts serviceRole, here for the domain rules). */
export const SERVICE_ROLE_PREFIX = "guichet:service:";

/**
 * The roles that count on a request of `service`: a service agent acts as such only on their own
 * services' requests (elsewhere they keep their other roles, e.g. agent). Mirrored by
 * validate_doc_update (request-rules.es5.js `rolesOn`).
 */
export function rolesOn(service: string, roles: readonly Role[], couchRoles: readonly string[]): Role[] {
  if (!roles.includes("service_agent") || couchRoles.includes(`${SERVICE_ROLE_PREFIX}${service}`))
    return [...roles];
  return roles.filter((r) => r !== "service_agent");
}
