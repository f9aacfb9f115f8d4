import { communeRole, couchRole, sensitiveRole } from "./couch-roles";

export type SecurityObject = {
  admins: { names: string[]; roles: string[] };
  members: { names: string[]; roles: string[] };
};

/**
 * `_security` of a commune database. Never left empty: an empty members list makes a database public
 * on PouchDB Server. Sensitive databases: holders of the service's sensitive role, supervisors, and the
 * server account (deadlines, ARs, retention). No role is a database admin: only the server
 * administrator writes design documents (validate_doc_update) and `_security`; the gateway
 * (couch/gateway/) also refuses design documents to every role in front of both servers.
 */
export function securityObject(commune: string, sensitiveService?: string): SecurityObject {
  const members = sensitiveService
    ? [
        sensitiveRole(commune, sensitiveService),
        couchRole(commune, "supervisor"),
        couchRole(commune, "server"),
      ]
    : [communeRole(commune)];
  return { admins: { names: [], roles: [] }, members: { names: [], roles: members } };
}
