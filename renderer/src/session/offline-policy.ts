import type { AgentCard } from "../../../domain/commune";

/** What the workstation keeps of an account that logged in online here (never the password). */
export type CachedAccount = {
  username: string;
  /** The directory's passwordSetAt when the hash was made: another value means a new password. */
  passwordSetAt?: string;
  savedAt: string;
  /** The roles and CouchDB roles (local form) the server gave at that login. */
  roles?: readonly string[];
  couchRoles?: readonly string[];
};

export type OfflineRefusal = "disabled" | "changed" | "expired";

const DAY_MS = 86_400_000;

/**
 * Why an account that is cached here may not log in offline, or null. The directory is what the
 * server said at its last contact; the expiry counts days since that contact (or the hash's own
 * date when no contact was ever recorded).
 */
export function offlineRefusal(
  account: CachedAccount,
  directory: readonly AgentCard[] | undefined,
  lastContactAt: string | null,
  now: Date,
  maxDays: number,
): OfflineRefusal | null {
  const card = directory?.find((a) => a.username === account.username);
  if (card?.disabled) return "disabled";
  if (card?.passwordSetAt && card.passwordSetAt !== account.passwordSetAt) return "changed";
  if (card && accessChanged(account, card)) return "changed";
  const since = Date.parse(lastContactAt ?? account.savedAt);
  if (!Number.isFinite(since) || now.getTime() - since > maxDays * DAY_MS) return "expired";
  return null;
}

/** The cached accounts the server's directory says to forget: disabled, or given a new password. */
export function accountsToForget(
  accounts: readonly CachedAccount[],
  directory: readonly AgentCard[] | undefined,
): string[] {
  return accounts
    .filter((a) => {
      const r = offlineRefusal(a, directory, null, new Date(a.savedAt), Number.POSITIVE_INFINITY);
      return r === "disabled" || r === "changed";
    })
    .map((a) => a.username);
}

const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = new Set(a);
  const y = new Set(b);
  return x.size === y.size && [...x].every((v) => y.has(v));
};

/**
 * Whether the directory gives this account other roles or services than when its hash was made
 * (the offline session would open with the old ones). Admins act as supervisors (roles.ts).
 */
export function accessChanged(account: CachedAccount, card: AgentCard): boolean {
  if (!account.roles || !account.couchRoles) return false;
  const roles = new Set<string>(card.roles);
  if (roles.has("admin")) roles.add("supervisor");
  const services = account.couchRoles
    .filter((r) => r.startsWith(SERVICE_ROLE))
    .map((r) => r.slice(SERVICE_ROLE.length));
  return !sameSet(roles, account.roles) || !sameSet(card.services, services);
}

const SERVICE_ROLE = "guichet:service:";

/**
 * Whether the directory the server just sent outdates a running session: the account was
 * disabled, given a new password, or other roles or services. The screen then locks; the password
 * (checked online when possible) opens a session with what the server says now.
 */
export function sessionOutdated(
  session: CachedAccount & { roles: readonly string[]; couchRoles: readonly string[] },
  directory: readonly AgentCard[] | undefined,
): boolean {
  const card = directory?.find((a) => a.username === session.username);
  if (!card) return false;
  if (card.disabled) return true;
  if (card.passwordSetAt && card.passwordSetAt !== session.passwordSetAt) return true;
  return accessChanged(session, card);
}
