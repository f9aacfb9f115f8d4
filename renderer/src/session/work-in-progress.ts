/**
 * Work a screen had in hand when the idle lock took it off the page (the DOM must hold nothing of
 * the citizens while locked): kept in memory only, given back at unlock, dropped at logout.
 */
const kept = new Map<string, unknown>();
let holding = false;

/** The lock is about to remove the screens: what they hand over now is kept. */
export function holdWork(on: boolean): void {
  holding = on;
}

/** Called by a screen as it leaves the page: kept only when the lock removed it. */
export function keepIfLocked(key: string, value: unknown): void {
  if (holding) kept.set(key, value);
}

/** What was kept under `key`, left in place (a strict-mode remount reads it twice). */
export function keptWork<T>(key: string): T | undefined {
  return kept.get(key) as T | undefined;
}

export function forgetWork(key?: string): void {
  if (key === undefined) kept.clear();
  else kept.delete(key);
}
