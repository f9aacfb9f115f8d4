import { tooManyRequests } from "./errors";

/**
 * Fixed-window counter per key (the client's IP): enough to make guessing tracking numbers
 * hopeless (10 tries a minute) without any shared store. Per process: several server processes
 * behind a proxy each allow their own quota, which only multiplies it by the process count.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private lastSweep = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit; throws a 429 HttpError once the key is over its quota. */
  hit(key: string): void {
    const t = this.now();
    this.sweep(t);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= t) {
      w = { count: 0, resetAt: t + this.windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count > this.limit) throw tooManyRequests(Math.max(1, Math.ceil((w.resetAt - t) / 1000)));
  }

  // Forget expired windows now and then, so a flood of distinct IPs cannot grow the map forever.
  private sweep(t: number): void {
    if (t - this.lastSweep < this.windowMs) return;
    this.lastSweep = t;
    for (const [k, w] of this.windows) if (w.resetAt <= t) this.windows.delete(k);
  }
}
