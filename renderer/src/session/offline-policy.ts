import type { AgentCard } from "../../../domain/commune";

/** What the workstation keeps of an account that logged in online here (never the password). */
export type CachedAccount = {
  username: string;
  /** The directory's passwordSetAt when the hash was made: another value means a new password. */
  passwordSetAt?: string;
  savedAt: string;
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
