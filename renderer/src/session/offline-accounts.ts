import type { AgentCard } from "../../../domain/commune";
import type { Role } from "../../../domain/roles";
import { accountsToForget, type CachedAccount, type OfflineRefusal, offlineRefusal } from "./offline-policy";
import { hashPassword, type PasswordHash, verifyPassword } from "./password-hash";

/** Accounts that logged in online on this workstation: enough to let them in again offline. */
export type OfflineAccount = PasswordHash &
  CachedAccount & {
    roles: Role[];
    couchRoles: string[];
  };

const KEY = "guichet.offline-accounts.v1";
/** When this workstation last heard from its server (a login or a configuration read). */
const CONTACT_KEY = "guichet.server-contact.v1";

function readAll(): Record<string, OfflineAccount> {
  try {
    return JSON.parse(localStorage.getItem(KEY) ?? "{}") as Record<string, OfflineAccount>;
  } catch {
    return {};
  }
}

const writeAll = (all: Record<string, OfflineAccount>) => localStorage.setItem(KEY, JSON.stringify(all));

export async function rememberAccount(
  username: string,
  password: string,
  roles: Role[],
  couchRoles: string[],
  passwordSetAt?: string,
): Promise<void> {
  const hash = await hashPassword(password);
  const all = readAll();
  all[username] = {
    ...hash,
    username,
    roles,
    couchRoles,
    savedAt: new Date().toISOString(),
    ...(passwordSetAt ? { passwordSetAt } : {}),
  };
  writeAll(all);
}

export function forgetAccount(username: string): void {
  const all = readAll();
  if (!all[username]) return;
  delete all[username];
  writeAll(all);
}

export function lastServerContact(): string | null {
  return localStorage.getItem(CONTACT_KEY);
}

/**
 * The server answered with the commune's directory: note the contact, and forget the offline hash
 * of every account it disabled or gave a new password.
 */
export function serverContacted(directory: readonly AgentCard[] | undefined, now = new Date()): void {
  localStorage.setItem(CONTACT_KEY, now.toISOString());
  for (const username of accountsToForget(Object.values(readAll()), directory)) forgetAccount(username);
}

export type OfflineCheck =
  | { ok: true; account: OfflineAccount }
  | { ok: false; reason: "unknown" | "password" | OfflineRefusal };

/** The offline login: the directory last received, the commune's expiry, then the hash. */
export async function checkOffline(
  username: string,
  password: string,
  rules: { directory: readonly AgentCard[] | undefined; maxDays: number; now?: Date },
): Promise<OfflineCheck> {
  const account = readAll()[username];
  // Its hash was dropped when the server disabled it: say so rather than "never logged in here".
  const disabled = rules.directory?.some((a) => a.username === username && a.disabled);
  if (!account) return { ok: false, reason: disabled ? "disabled" : "unknown" };
  const matches = await verifyPassword(password, account);
  const refused = offlineRefusal(
    account,
    rules.directory,
    lastServerContact(),
    rules.now ?? new Date(),
    rules.maxDays,
  );
  // A disabled account or an old password never comes back: drop the hash for good.
  if (refused && refused !== "expired") forgetAccount(username);
  // The password first: without it, nobody learns whether the account is disabled or expired.
  if (!matches) return { ok: false, reason: "password" };
  return refused ? { ok: false, reason: refused } : { ok: true, account };
}

/** Whether this password is the one cached here (the server just refused it: it is an old one). */
export async function isCachedPassword(username: string, password: string): Promise<boolean> {
  const account = readAll()[username];
  return !!account && (await verifyPassword(password, account));
}
