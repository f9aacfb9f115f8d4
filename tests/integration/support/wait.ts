/** Polls `fn` until it gives a truthy value (returned), or fails naming `what` after `ms`. */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  ms = 20_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Like `waitFor`, for a check that costs something when it fails: at most one try after each of
 * `delaysMs`. A login polled every 100 ms until a cluster node learns a new password counts each
 * refusal, and CouchDB 3.4 locks the account after 5 (chttpd_auth_lockout).
 */
export async function waitForFew<T>(
  what: string,
  fn: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  delaysMs: readonly number[],
): Promise<T> {
  for (const ms of delaysMs) {
    await new Promise((r) => setTimeout(r, ms));
    const v = await fn();
    if (v) return v;
  }
  throw new Error(`timeout: ${what}`);
}
