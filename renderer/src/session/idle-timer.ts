/** What the idle timer needs of time: real timers in the app, fake ones in tests. */
export type Clock = {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
};

const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Calls `onIdle` once when `timeoutMs` pass without `touch()`. A touch only notes the time (it
 * runs on every mouse move); the timer re-arms itself for what is left. It compares clock times,
 * so a laptop waking from sleep past the delay locks at once.
 */
export function idleTimer(opts: { timeoutMs: number; onIdle(): void; clock?: Clock }) {
  const clock = opts.clock ?? realClock;
  let last = clock.now();
  let done = false;
  let handle: unknown;
  const arm = (ms: number) => {
    handle = clock.setTimeout(check, ms);
  };
  function check(): void {
    if (done) return;
    const idle = clock.now() - last;
    if (idle < opts.timeoutMs) {
      arm(opts.timeoutMs - idle);
      return;
    }
    done = true;
    opts.onIdle();
  }
  arm(opts.timeoutMs);
  return {
    touch(): void {
      last = clock.now();
    },
    stop(): void {
      done = true;
      clock.clearTimeout(handle);
    },
  };
}

const OVERRIDE_KEY = "guichet.idleLockMs";

/** The commune's minutes in ms; tests shorten it through localStorage (as configRefreshMs does). */
export function idleLockMs(minutes: number, override: string | null = readOverride()): number {
  const ms = Number(override);
  return override !== null && Number.isFinite(ms) && ms >= 1_000 ? ms : minutes * 60_000;
}

function readOverride(): string | null {
  try {
    return localStorage.getItem(OVERRIDE_KEY);
  } catch {
    return null;
  }
}
