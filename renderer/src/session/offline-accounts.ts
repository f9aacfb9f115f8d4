import type { Role } from "../../../domain/roles";
import { hashPassword, type PasswordHash, verifyPassword } from "./password-hash";

/** Accounts that logged in online on this workstation: enough to let them in again offline. */
export type OfflineAccount = PasswordHash & {
  username: string;
  roles: Role[];
  couchRoles: string[];
  savedAt: string;
};

const KEY = "guichet.offline-accounts.v1";

function readAll(): Record<string, OfflineAccount> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "{}") as Record<string, OfflineAccount>;
  } catch {
    return {};
  }
}

export async function rememberAccount(
  username: string,
  password: string,
  roles: Role[],
  couchRoles: string[],
): Promise<void> {
  const hash = await hashPassword(password);
  const all = readAll();
  all[username] = { ...hash, username, roles, couchRoles, savedAt: new Date().toISOString() };
  localStorage.setItem(KEY, JSON.stringify(all));
}

export type OfflineCheck =
  | { ok: true; account: OfflineAccount }
  | { ok: false; reason: "unknown" | "password" };

export async function checkOffline(username: string, password: string): Promise<OfflineCheck> {
  const account = readAll()[username];
  if (!account) return { ok: false, reason: "unknown" };
  return (await verifyPassword(password, account))
    ? { ok: true, account }
    : { ok: false, reason: "password" };
}
