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

/** Where a method's CPU went, by kind of process (see `cpuByPart`). */
export type CpuPart = "node" | "chromium" | "page" | "other";

/**
 * CPU so far of the same processes as `treeCpuMs`, split by kind: this Node process (the bench,
 * and an embedded server in it), Chromium's main process (which runs IndexedDB's backend), the
 * page's renderer (JavaScript, IndexedDB's client side) and the rest (Chromium's helpers, a
 * CouchDB started apart). Linux only; empty elsewhere.
 */
export function cpuByPart(roots: readonly number[] = [process.pid]): Record<CpuPart, number> {
  const out: Record<CpuPart, number> = { node: 0, chromium: 0, page: 0, other: 0 };
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of entries) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // ended meanwhile
    }
  }
  const counted = new Set(roots);
  for (const [pid, ms] of cpu) {
    let p = pid;
    while (p > 1 && !counted.has(p)) p = parent.get(p) ?? 0;
    if (!counted.has(p)) continue;
    out[partOf(pid)] += ms;
  }
  return out;
}

function partOf(pid: number): CpuPart {
  if (pid === process.pid) return "node";
  let cmd = "";
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return "other";
  }
  if (!/chrom/i.test(cmd)) return "other";
  const type = /--type=([a-z-]+)/.exec(cmd)?.[1];
  if (type === undefined) return "chromium";
  return type === "renderer" ? "page" : "other";
}
