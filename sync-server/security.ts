import { communeRole, couchRole, sensitiveRole } from "./couch-roles";

export type SecurityObject = {
  admins: { names: string[]; roles: string[] };
  members: { names: string[]; roles: string[] };
};

/**
 * `_security` of a commune database. Never left empty: an empty members list makes a database public
 * on PouchDB Server. Sensitive databases: holders of the service's sensitive role, supervisors, and the
 * server account (deadlines, ARs, retention). No role is a database admin: on CouchDB 3 database
 * admins may store design documents, whose functions run on the server; only the server's
 * administrator account writes them.
 */
export function securityObject(commune: string, sensitiveService?: string): SecurityObject {
  const members = sensitiveService
    ? [sensitiveRole(sensitiveService), couchRole("supervisor"), couchRole("server")]
    : [communeRole(commune)];
  return { admins: { names: [], roles: [] }, members: { names: [], roles: members } };
}
