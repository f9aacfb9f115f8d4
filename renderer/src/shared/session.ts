import type { Role } from "../../../domain/roles";

/** A logged-in agent. The password stays in memory only (replication needs it), never on disk. */
export type Session = {
  username: string;
  password: string;
  roles: Role[];
  couchRoles: string[];
  /** Let in by the local hash because the server was unreachable. */
  offline: boolean;
  /** The directory's passwordSetAt for this account at login (a newer one locks the session). */
  passwordSetAt?: string;
};

/** Counter roles: someone with none of them has nothing to do in this app. */
export const COUNTER_ROLES: readonly Role[] = ["agent", "service_agent", "supervisor"];
