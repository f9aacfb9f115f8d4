import type { Role } from "../../../domain/roles";

/** Statistics are the supervisors' (roles.ts); admins act as supervisors. */
export const canSeeDashboard = (roles: readonly Role[]): boolean =>
  roles.includes("supervisor") || roles.includes("admin");
