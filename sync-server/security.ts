import { couchRole as localRole } from "../domain/roles";
import { communeRole, couchRole, sensitiveRole } from "./couch-roles";

export type SecurityObject = {
  admins: { names: string[]; roles: string[] };
  members: { names: string[]; roles: string[] };
};

/**
 * `_security` of a commune database. Never left empty: an empty members list makes a database public
 * on PouchDB Server. Sensitive databases: holders of the service's sensitive role, supervisors, and the
 * server account (deadlines, ARs, retention). `guichet:admin` stays a database admin: taking it away
 * broke sync.test's refusal case on CouchDB 3 (not understood yet). Design documents are refused to
 * every role by the gateway (sync-server/gateway/) in front of both servers instead.
 */
export function securityObject(commune: string, sensitiveService?: string): SecurityObject {
  const members = sensitiveService
    ? [
        sensitiveRole(commune, sensitiveService),
        couchRole(commune, "supervisor"),
        couchRole(commune, "server"),
      ]
    : [communeRole(commune)];
  return { admins: { names: [], roles: [localRole("admin")] }, members: { names: [], roles: members } };
}
