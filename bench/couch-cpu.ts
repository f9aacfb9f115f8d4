/**
 * CPU time spent by a CouchDB running on this machine, read from /proc: its Erlang VM, and the
 * JavaScript processes it starts (couchjs, for validate_doc_update). Unlike durations, CPU time
 * hardly moves with the load of other work on a shared machine: a bench can give both.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { procStats } from "./process-cpu";

export type CouchCpu = { erlangMs: number; javascriptMs: number };

/** The VM's pid from the data directory of ../shared/couchdb/start (BENCH_COUCHDB_DIR), else null. */
export function localCouchPid(): number | null {
  const dir = process.env.BENCH_COUCHDB_DIR ?? process.env.GUICHET_TEST_COUCHDB_DIR;
  if (!dir || !existsSync(path.join(dir, "couchdb.pid"))) return null;
  const pid = Number(readFileSync(path.join(dir, "couchdb.pid"), "utf8").trim());
  return Number.isInteger(pid) && existsSync(`/proc/${pid}/stat`) ? pid : null;
}

/** CPU so far: the VM itself, and everything below it (couchjs, reaped ones included). */
export function couchCpu(pid: number): CouchCpu {
  const stats = procStats();
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
