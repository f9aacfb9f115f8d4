/**
 * `npx tsx bench/vdu-couchjs.ts`: the request databases' validate_doc_update in CouchDB's own
 * JavaScript process (couchjs, QuickJS in ../shared/couchdb), without CouchDB: the lines CouchDB
 * writes for each document (`reset`, then the design document call) are piped in, and the CPU
 * time of the process is read. This is the part our rules can change; bench:vdu measures the rest.
 * Creations (as bench:vdu writes them) and updates (one note added to a request of four events).
 * BENCH_COUCHJS names the couchjs binary (default: the one unpacked by ../shared/couchdb/start).
 * Writes docs/bench/vdu-couchjs.md (or BENCH_OUT).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { withEvents } from "../domain/history";
import type { RequestEvent } from "../domain/request";
import { requestValidateDocUpdate } from "../sync-server/couch/validate-doc-update";
import { machineLine, median } from "./machine";
import { benchRequests } from "./sync-docs";
import { interpretedVariant } from "./vdu-interpreted";

const N = Number(process.env.BENCH_SYNC_DOCS ?? 3000);
const RUNS = Number(process.env.BENCH_VDU_ROUNDS ?? 5);
const USER = { name: "bench-agent", roles: ["guichet:demo:agent", "guichet:demo:member"] };
const EMPTY_VDU = "function (newDoc, oldDoc, userCtx, secObj) {}";

function couchjsPath(): string {
  if (process.env.BENCH_COUCHJS) return process.env.BENCH_COUCHJS;
  const cache = process.env.COUCHDB_CACHE_DIR ?? path.join(homedir(), ".cache/couchdb-release");
  for (const release of existsSync(cache) ? readdirSync(cache) : []) {
    const lib = path.join(cache, release, "lib");
    const qjs = existsSync(lib) ? readdirSync(lib).find((d) => d.startsWith("couch_quickjs-")) : undefined;
    const bin = qjs && path.join(lib, qjs, "priv/couchjs_mainjs");
    if (bin && existsSync(bin)) return bin;
  }
  throw new Error("couchjs introuvable : lancez ../shared/couchdb/start une fois, ou donnez BENCH_COUCHJS.");
}

/** What CouchDB writes to couchjs for these writes: a reset (and its gc) before each call. */
function protocol(vdu: string, writes: [unknown, unknown][]): string {
  const lines = [
    JSON.stringify(["ddoc", "new", "_design/guichet", { _id: "_design/guichet", validate_doc_update: vdu }]),
  ];
  for (const [doc, old] of writes) {
    lines.push(JSON.stringify(["reset", { reduce_limit: true, timeout: 5000 }]));
    lines.push(JSON.stringify(["ddoc", "_design/guichet", ["validate_doc_update"], [doc, old, USER, {}]]));
  }
  return `${lines.join("\n")}\n`;
}

/** CPU time (ms) of one couchjs run over these lines; throws if any write was refused. */
function cpuOf(couchjs: string, input: string, dir: string): number {
  const inFile = path.join(dir, "in.txt");
  writeFileSync(inFile, input);
  const script = `TIMEFORMAT='%3U %3S'; { time "$1" < "$2" > "$3"; } 2>&1`;
  const out = path.join(dir, "out.txt");
  const timing = execFileSync("bash", ["-c", script, "bash", couchjs, inFile, out], { encoding: "utf8" });
  const refused = readFileSync(out, "utf8")
    .split("\n")
    .filter((l) => l !== "" && l !== "true" && l !== "1");
  if (refused.length > 0) throw new Error(`écriture refusée : ${refused[0]?.slice(0, 300)}`);
  const [user, system] = timing.trim().split("\n").pop()!.split(" ").map(Number);
  return ((user ?? 0) + (system ?? 0)) * 1000;
}

function writes(): Record<"création" | "mise à jour", [unknown, unknown][]> {
  const requests = benchRequests(N, "demo", USER.name, "V8R");
  const note = (i: number, k: number): RequestEvent =>
    ({
      id: `e${k}n${i.toString(36)}-V8R-t`,
      at: `2026-11-1${k}T09:00:00.000Z`,
      by: USER.name,
      workstation: "V8R",
      kind: "note",
      text: `Rappel ${k}`,
    }) as RequestEvent;
  return {
    création: requests.map((r) => [{ ...r, _id: r.id }, null]),
    "mise à jour": requests.map((r, i) => {
      const old = { ...withEvents(r, [note(i, 0), note(i, 1), note(i, 2)]), _id: r.id, _rev: "4-a" };
      return [{ ...withEvents(old, [note(i, 3)]), _id: r.id, _rev: "4-a" }, old];
    }),
  };
}

function main() {
  const couchjs = couchjsPath();
  const dir = mkdtempSync(path.join(tmpdir(), "vdu-couchjs-"));
  const generated = requestValidateDocUpdate({ commune: "demo", service: null, sensitiveServices: [] });
  const functions = { vide: EMPTY_VDU, généré: generated, interprété: interpretedVariant(generated) };
  const load0 = loadavg()[0]!.toFixed(1);
  const rows: string[] = [];
  for (const [kind, list] of Object.entries(writes())) {
    const runs: Record<string, number[]> = { vide: [], généré: [], interprété: [] };
    const inputs = Object.fromEntries(Object.entries(functions).map(([k, f]) => [k, protocol(f, list)]));
    for (let r = 0; r < RUNS; r++)
      for (const k of Object.keys(functions)) runs[k]!.push(cpuOf(couchjs, inputs[k]!, dir));
    const us = (k: string) => (median(runs[k]!) / N) * 1000;
    rows.push(
      `| ${kind} | ${us("vide").toFixed(0)} | ${us("généré").toFixed(0)} | **${(us("généré") - us("vide")).toFixed(0)}** | ${us("interprété").toFixed(0)} | ${(us("interprété") - us("vide")).toFixed(0)} |`,
    );
    console.log(rows[rows.length - 1]);
  }
  rmSync(dir, { recursive: true, force: true });
  const md = [
    `### validate_doc_update des demandes dans couchjs seul (${N} écritures, médiane de ${RUNS} passages)`,
    "",
    `${machineLine()} — couchjs de CouchDB 3.4.3 (QuickJS) lancé seul, sans CouchDB ; charge moyenne ${load0} au début, ${loadavg()[0]!.toFixed(1)} à la fin. Temps processeur du processus (utilisateur + système) par écriture, en microsecondes : il bouge peu avec la charge de la machine. Chaque écriture reçoit ce que CouchDB envoie : \`reset\` (qui lance un ramasse-miettes complet) puis l'appel de la fonction.`,
    "",
    "| écriture | fonction vide (µs) | générée (µs) | ajouté par nos règles (µs) | schéma interprété, comme avant (µs) | ajouté (µs) |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
  ].join("\n");
  writeFileSync(path.resolve(process.env.BENCH_OUT ?? "docs/bench/vdu-couchjs.md"), md);
  console.log(md);
}

main();
