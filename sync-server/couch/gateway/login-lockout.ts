/**
 * Login lockout as Apache CouchDB 3 does it (`[chttpd_auth_lockout]`, mode enforce): after
 * `threshold` failed logins for one user from one address within `lifetimeMs`, that pair is
 * refused (403) until the oldest failure is `lifetimeMs` old, even with the right password.
 * Memory stays bounded: past `maxEntries` pairs the oldest ones are forgotten.
 */
export class LoginLockout {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly threshold = 5,
    private readonly lifetimeMs = 5 * 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the pair may try again, or 0 when it is not locked. */
  lockedFor(user: string, ip: string): number {
    const recent = this.recent(key(user, ip));
    if (recent.length < this.threshold) return 0;
    const unlockAt = (recent[recent.length - this.threshold] ?? 0) + this.lifetimeMs;
    return Math.max(0, unlockAt - this.now());
  }

  fail(user: string, ip: string): void {
    const k = key(user, ip);
    const recent = this.recent(k);
    recent.push(this.now());
    // Re-inserted last: the Map's order is the eviction order.
    this.failures.delete(k);
    this.failures.set(k, recent.slice(-this.threshold));
    while (this.failures.size > this.maxEntries) {
      const oldest = this.failures.keys().next().value;
      if (oldest === undefined) break;
      this.failures.delete(oldest);
    }
  }

  private recent(k: string): number[] {
    const since = this.now() - this.lifetimeMs;
    const kept = (this.failures.get(k) ?? []).filter((t) => t > since);
    if (kept.length === 0) this.failures.delete(k);
    return kept;
  }
}

const key = (user: string, ip: string) => `${ip}\u0000${user}`;
