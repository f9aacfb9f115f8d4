/**
 * `npm run bench:chaos`: the chaos scenario of tests/integration/chaos.test.ts at length — 20
 * seeds × 300 requests per workstation (CHAOS_LONG_SEEDS, CHAOS_LONG_REQUESTS), each seed on a
 * fresh server killed with SIGKILL along the way. Writes docs/bench/chaos.md after every seed, so
 * an interrupted run still leaves what it proved. Exits 1 when a seed fails.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type ChaosResult, runChaos } from "../tests/integration/support/chaos-scenario";
import { startKillableCouch } from "../tests/support/killable-couch";
import { machineLine } from "./machine";

const SEEDS = (process.env.CHAOS_LONG_SEEDS ?? "1-20").includes("-")
  ? range(process.env.CHAOS_LONG_SEEDS ?? "1-20")
  : (process.env.CHAOS_LONG_SEEDS ?? "").split(",").map(Number);
const PER_WORKSTATION = Number(process.env.CHAOS_LONG_REQUESTS ?? 300);
const OUT = path.resolve("docs/bench/chaos.md");

function range(spec: string): number[] {
  const [a, b] = spec.split("-").map(Number) as [number, number];
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

type Row = { seed: number; result?: ChaosResult; error?: string; durationMs: number };

const fmtS = (ms: number) => (ms / 1000).toLocaleString("fr-FR", { maximumFractionDigits: 0 });
const fmtN = (n: number) => n.toLocaleString("fr-FR");

function write(rows: Row[], serverKind: string, machine: string, done: boolean): void {
  const ok = rows.filter((r) => r.result);
  const sum = (k: keyof ChaosResult) => ok.reduce((s, r) => s + (r.result?.[k] ?? 0), 0);
  const failed = rows.length - ok.length;
  const lines = [
    `### Chaos longue durée (${SEEDS.length} graines × ${PER_WORKSTATION} demandes par poste, 3 postes)`,
    "",
    `${machine} — serveur : ${serverKind}.${done ? "" : ` **En cours : ${rows.length}/${SEEDS.length} graines.**`}`,
    "",
    "Chaque graine : trois postes saisissent et modifient des demandes derrière des lignes coupées au hasard en pleine requête, le serveur est tué (SIGKILL) puis relancé, un poste est fermé en plein envoi puis rouvert ; à la fin, serveur et répliques doivent contenir chaque demande une fois, chaque événement, le même état dérivé, sans marqueur en attente ni refus. Même scénario que `tests/integration/chaos.test.ts` (`tests/integration/support/chaos-scenario.ts`).",
    "",
    "| graine | demandes | événements | coupures | arrêts SIGKILL | fermetures en plein envoi | durée (s) | résultat |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ...rows.map((r) =>
      r.result
        ? `| ${r.seed} | ${fmtN(r.result.requests)} | ${fmtN(r.result.events)} | ${r.result.cuts} | ${r.result.kills} | ${r.result.closes} | ${fmtS(r.durationMs)} | convergé |`
        : `| ${r.seed} | — | — | — | — | — | ${fmtS(r.durationMs)} | **échec** : ${(r.error ?? "").replace(/\|/g, "\\|").replace(/\s+/g, " ").slice(0, 300)} |`,
    ),
    `| **total** | ${fmtN(sum("requests"))} | ${fmtN(sum("events"))} | ${fmtN(sum("cuts"))} | ${fmtN(sum("kills"))} | ${fmtN(sum("closes"))} | ${fmtS(rows.reduce((s, r) => s + r.durationMs, 0))} | ${ok.length} convergées, ${failed} en échec |`,
    "",
  ];
  writeFileSync(OUT, lines.join("\n"));
}

async function main(): Promise<void> {
  const machine = machineLine();
  const rows: Row[] = [];
  let serverKind = process.env.COUCHDB_URL ? "Apache CouchDB (COUCHDB_URL)" : "PouchDB Server embarqué";
  for (const seed of SEEDS) {
    const t0 = Date.now();
    // A fresh server per seed: one seed's leftovers never help or hurt the next.
    const server = await startKillableCouch();
    serverKind = server.couch.kind === "couchdb" ? "Apache CouchDB 3" : "PouchDB Server embarqué";
    try {
      const result = await runChaos(server, seed, PER_WORKSTATION);
      rows.push({ seed, result, durationMs: Date.now() - t0 });
    } catch (e) {
      console.error(e);
      rows.push({ seed, error: (e as Error).message, durationMs: Date.now() - t0 });
    } finally {
      await server.stop().catch(() => undefined);
    }
    console.log(
      `[chaos-long] graine ${seed} : ${rows.at(-1)?.result ? "convergé" : "ÉCHEC"} en ${fmtS(Date.now() - t0)} s`,
    );
    write(rows, serverKind, machine, false);
  }
  write(rows, serverKind, machine, true);
  const failed = rows.filter((r) => !r.result).map((r) => r.seed);
  if (failed.length > 0) {
    console.error(`[chaos-long] graines en échec : ${failed.join(", ")}`);
    process.exit(1);
  }
  process.exit(0);
}

await main();
