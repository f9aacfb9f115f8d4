import {
  couchRole as localRole,
  sensitiveRole as localSensitiveRole,
  qualifyRole,
  type Role,
  SERVICE_ROLE_PREFIX,
} from "../../domain/roles";

// CouchDB role names, each qualified by its commune (`guichet:<commune>:…`): an account, a
// `_security` object or a validation function of commune A never names a role of commune B.

/** Every account of commune C holds it: members of C's main, -config and -log databases. */
export const communeRole = (commune: string): string => qualifyRole(commune, "member");

/** A Guichet role in `commune`. */
export const couchRole = (commune: string, role: Role): string => qualifyRole(commune, localRole(role));

/** Opens the database of a sensitive service of `commune`. */
export const sensitiveRole = (commune: string, service: string): string =>
  qualifyRole(commune, localSensitiveRole(service));

/** A service agent's service(s) in `commune`. */
export const serviceRole = (commune: string, service: string): string =>
  qualifyRole(commune, `${SERVICE_ROLE_PREFIX}${service}`);

/** Every CouchDB role name of `commune` starts with it. */
export const communeRolePrefix = (commune: string): string => qualifyRole(commune, "");

export type { Role };
