import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time (ms, user + system) used so far by this process and every process it started
 * (Chromium and its helpers, an embedded server's threads), and of other `roots` (a CouchDB started
 * apart): on a shared machine, the work a method costs, where its duration mostly measures the
 * others' load. Linux only (/proc); NaN elsewhere.
 */
export function treeCpuMs(roots: readonly number[] = [process.pid]): number {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return Number.NaN;
  }
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  const tick = 10; // ms per clock tick (USER_HZ = 100 on Linux)
  for (const d of entries) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * tick);
    } catch {
      // the process ended meanwhile
    }
  }
  const counted = new Set(roots);
  let total = 0;
  for (const [pid, ms] of cpu) {
    let p = pid;
    while (p > 1 && !counted.has(p)) p = parent.get(p) ?? 0; // a root counts itself too
    if (counted.has(p)) total += ms;
  }
  return total;
}
