import { couchRole, type Role, SERVICE_ROLE_PREFIX, sensitiveRole } from "../domain/roles";

// CouchDB role names beyond domain/roles.ts: membership of a commune and of a service.

/** Every account of commune C holds it: members of C's main, -config and -log databases. */
export const communeRole = (commune: string): string => `guichet:commune:${commune}`;

/** A service agent's service(s). */
export const serviceRole = (service: string): string => `${SERVICE_ROLE_PREFIX}${service}`;

export type { Role };
export { couchRole, sensitiveRole };
