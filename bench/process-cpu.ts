import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** One process as /proc tells it: its parent, its own CPU and that of its reaped children (ms). */
export type ProcStat = { ppid: number; own: number; children: number };

const TICK_MS = (() => {
  try {
    return 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  } catch {
    return 10; // USER_HZ = 100 on Linux
  }
})();

/** Every process of the machine now, by pid; empty where there is no /proc. */
export function procStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  } catch {
    return stats;
  }
  for (const d of entries) {
    try {
      const text = readFileSync(`/proc/${d}/stat`, "utf8");
      // After "(comm) ": state, ppid, …; utime, stime, cutime, cstime are the 12th to 15th.
      const f = text
        .slice(text.lastIndexOf(")") + 2)
        .split(" ")
        .map(Number);
      stats.set(Number(d), {
        ppid: f[1] ?? 0,
        own: ((f[11] ?? 0) + (f[12] ?? 0)) * TICK_MS,
        children: ((f[13] ?? 0) + (f[14] ?? 0)) * TICK_MS,
      });
    } catch {
      // the process ended meanwhile
    }
  }
  return stats;
}

/** Each living process under one of `roots` (a root counts itself too), with its own CPU. */
function underRoots(roots: readonly number[]): { pid: number; own: number }[] | null {
  const stats = procStats();
  if (stats.size === 0) return null;
  const counted = new Set(roots);
  const out: { pid: number; own: number }[] = [];
  for (const [pid, s] of stats) {
    let p = pid;
    while (p > 1 && !counted.has(p)) p = stats.get(p)?.ppid ?? 0;
    if (counted.has(p)) out.push({ pid, own: s.own });
  }
  return out;
}

/**
 * CPU time (ms, user + system) used so far by this process and every process it started
 * (Chromium and its helpers, an embedded server's threads), and of other `roots` (a CouchDB started
 * apart): on a shared machine, the work a method costs, where its duration mostly measures the
 * others' load. Linux only (/proc); NaN elsewhere.
 */
export function treeCpuMs(roots: readonly number[] = [process.pid]): number {
  const processes = underRoots(roots);
  return processes === null ? Number.NaN : processes.reduce((sum, p) => sum + p.own, 0);
}

/** Where a method's CPU went, by kind of process (see `cpuByPart`). */
export type CpuPart = "node" | "chromium" | "page" | "other";

/**
 * CPU so far of the same processes as `treeCpuMs`, split by kind: this Node process (the bench,
 * and an embedded server in it), Chromium's main process (which runs IndexedDB's backend), the
 * page's renderer (JavaScript, IndexedDB's client side) and the rest (Chromium's helpers, a
 * CouchDB started apart). Linux only; zeros elsewhere.
 */
export function cpuByPart(roots: readonly number[] = [process.pid]): Record<CpuPart, number> {
  const out: Record<CpuPart, number> = { node: 0, chromium: 0, page: 0, other: 0 };
  for (const { pid, own } of underRoots(roots) ?? []) out[partOf(pid)] += own;
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
