/**
 * CPU time spent by a CouchDB running on this machine, read from /proc: its Erlang VM, and the
 * JavaScript processes it starts (couchjs, for validate_doc_update). Unlike durations, CPU time
 * hardly moves with the load of other work on a shared machine: a bench can give both.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export type CouchCpu = { erlangMs: number; javascriptMs: number };

/** The VM's pid from the data directory of ../shared/couchdb/start (BENCH_COUCHDB_DIR), else null. */
export function localCouchPid(): number | null {
  const dir = process.env.BENCH_COUCHDB_DIR ?? process.env.GUICHET_TEST_COUCHDB_DIR;
  if (!dir || !existsSync(path.join(dir, "couchdb.pid"))) return null;
  const pid = Number(readFileSync(path.join(dir, "couchdb.pid"), "utf8").trim());
  return Number.isInteger(pid) && existsSync(`/proc/${pid}/stat`) ? pid : null;
}

const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

type Stat = { ppid: number; own: number; children: number };

function readStats(): Map<number, Stat> {
  const stats = new Map<number, Stat>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    // After "(comm) ": state, ppid, …; utime, stime, cutime, cstime are the 12th to 15th.
    const f = text
      .slice(text.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    stats.set(Number(entry), {
      ppid: f[1] ?? 0,
      own: ((f[11] ?? 0) + (f[12] ?? 0)) * TICK_MS,
      children: ((f[13] ?? 0) + (f[14] ?? 0)) * TICK_MS,
    });
  }
  return stats;
}

/** CPU so far: the VM itself, and everything below it (couchjs, reaped ones included). */
export function couchCpu(pid: number): CouchCpu {
  const stats = readStats();
  const below = new Map<number, number[]>();
  for (const [p, s] of stats) below.set(s.ppid, [...(below.get(s.ppid) ?? []), p]);
  let javascriptMs = stats.get(pid)?.children ?? 0;
  const queue = [...(below.get(pid) ?? [])];
  while (queue.length > 0) {
    const p = queue.pop()!;
    const s = stats.get(p);
    if (s) javascriptMs += s.own + s.children;
    queue.push(...(below.get(p) ?? []));
  }
  return { erlangMs: stats.get(pid)?.own ?? 0, javascriptMs };
}
