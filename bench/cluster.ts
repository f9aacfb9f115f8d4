/**
 * `npm run bench:cluster`: bench:sync and bench:portal against one Apache CouchDB 3.4.3 node and
 * against a 3-node cluster of the same release (q = 2, n = 3, clients on node 1), in the same run,
 * alternating (sync on one, sync on the other, then the portal), so that a neighbour's load on this
 * shared machine falls on both. Needs ../shared/couchdb (GUICHET_TEST_COUCHDB_SCRIPTS elsewhere).
 * Ports: BENCH_CLUSTER_BASE_PORT (default 5984) for the single node, the next three for the cluster.
 * Smaller than the benches' defaults unless their variables are given (BENCH_SYNC_DOCS, ...);
 * BENCH_SYNC_ORIGIN moves the sync page off port 5173 (both CouchDBs allow any origin).
 * Writes docs/bench/cluster.md.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { couchdbScripts } from "../tests/support/killable-couch";
import { machineLine } from "./machine";

const scripts = couchdbScripts();
if (!existsSync(path.join(scripts, "cluster"))) {
  console.log(`bench cluster : ${scripts}/cluster absent, rien mesuré`);
  process.exit(0);
}
const base = Number(process.env.BENCH_CLUSTER_BASE_PORT ?? 5984);
const password = `bench-${Date.now()}`;
const work = mkdtempSync(path.join(tmpdir(), "guichet-bench-cluster-"));
const singleDir = path.join(work, "single");
const clusterDir = path.join(work, "cluster");
const sizes = {
  BENCH_SYNC_DOCS: process.env.BENCH_SYNC_DOCS ?? "2000",
  BENCH_SYNC_ROUNDS: process.env.BENCH_SYNC_ROUNDS ?? "2",
  BENCH_ROUNDS: process.env.BENCH_ROUNDS ?? "1",
  BENCH_SECONDS: process.env.BENCH_SECONDS ?? "5",
};

type Target = { key: "single" | "cluster"; label: string; url: string };
const withCredentials = (url: string) => url.replace("http://", `http://admin:${password}@`);

const loadStart = loadavg();
const sections: Record<string, string> = {};
const failures: string[] = [];
try {
  const single = execFileSync(path.join(scripts, "start"), [String(base), singleDir, "admin", password])
    .toString()
    .trim();
  const cluster = execFileSync(path.join(scripts, "cluster"), [
    "start",
    clusterDir,
    "admin",
    password,
    "3",
    String(base + 1),
  ])
    .toString()
    .trim();
  const targets: Target[] = [
    { key: "single", label: "Apache CouchDB 3.4.3, un nœud", url: single },
    {
      key: "cluster",
      label: "grappe Apache CouchDB 3.4.3 de 3 nœuds (q = 2, n = 3, w = r = 2), clients sur le nœud 1",
      url: cluster,
    },
  ];
  for (const bench of ["sync", "portal"]) {
    for (const t of targets) {
      const out = path.join(work, `${bench}-${t.key}.md`);
      console.log(`\n=== ${bench} : ${t.label} ===`);
      const r = spawnSync(process.execPath, ["--import", "tsx", path.resolve(`bench/${bench}.ts`)], {
        stdio: "inherit",
        env: {
          ...process.env,
          ...sizes,
          COUCHDB_URL: withCredentials(t.url),
          BENCH_OUT: out,
          BENCH_COUCH_LABEL: t.label,
        },
      });
      if (r.status !== 0) failures.push(`${bench} (${t.key}) : code ${r.status}`);
      sections[`${bench}-${t.key}`] = existsSync(out)
        ? readFileSync(out, "utf8").trim()
        : "(pas de résultat)";
    }
  }
} finally {
  spawnSync(path.join(scripts, "cluster"), ["stop", clusterDir]);
  spawnSync(path.join(scripts, "stop"), [singleDir]);
  rmSync(work, { recursive: true, force: true });
}
const loadEnd = loadavg();

/** The first numbers of the table row whose label starts with `label`. */
function numbers(section: string | undefined, label: string): number[] {
  const line = section?.split("\n").find((l) => l.startsWith(`| ${label}`)) ?? "";
  return line
    .split("|")
    .slice(2)
    .map((c) => Number(c.replace(/[*\s]/g, "").replace(",", ".")))
    .filter((n) => Number.isFinite(n));
}
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}×` : "—");
const rows: string[] = [];
const compare = (what: string, bench: string, label: string, col: number, unit: string) => {
  const one = numbers(sections[`${bench}-single`], label)[col];
  const three = numbers(sections[`${bench}-cluster`], label)[col];
  rows.push(`| ${what} | ${one ?? "—"} ${unit} | ${three ?? "—"} ${unit} | ${ratio(three, one)} |`);
};
compare("synchronisation : envoi (push) Guichet", "sync", "envoi (push)", 0, "ms");
compare("synchronisation : réception (pull) Guichet", "sync", "réception (pull)", 0, "ms");
const full = "dépôt `POST /api/v1/requests`, serveur complet";
const intake = "dépôt `POST /api/v1/requests`, tâche des accusés au repos";
compare("portail, serveur complet : débit max", "portal", full, 0, "req/s");
compare("portail, serveur complet : p99 à 50 req/s", "portal", full, 2, "ms");
compare("portail, dépôt seul : débit max", "portal", intake, 0, "req/s");
compare("portail, dépôt seul : p99 à 50 req/s", "portal", intake, 2, "ms");
compare("plancher : `PUT` un par un, débit", "portal", "plancher CouchDB : `PUT`", 0, "req/s");
compare("plancher : `PUT` un par un, p99 à 50 req/s", "portal", "plancher CouchDB : `PUT`", 2, "ms");

const fmt = (l: number[]) => l.map((x) => x.toFixed(1)).join(" / ");
const md = [
  "### Grappe CouchDB à 3 nœuds à côté d'un nœud seul (synchronisation et portail, même tour)",
  "",
  `${machineLine()} — les deux serveurs sur cette même machine (2 cœurs partagés par les 3 nœuds de la grappe, le serveur Guichet et le client de mesure) ; charge moyenne (1/5/15 min) ${fmt(loadStart)} au début, ${fmt(loadEnd)} à la fin. Tailles : ${sizes.BENCH_SYNC_DOCS} demandes × ${sizes.BENCH_SYNC_ROUNDS} tours pour la synchronisation, ${sizes.BENCH_ROUNDS} tour(s) de ${sizes.BENCH_SECONDS} s pour le portail.`,
  "",
  "| mesure | un nœud | grappe de 3 | grappe / un nœud |",
  "| --- | ---: | ---: | ---: |",
  ...rows,
  "",
  "Sur une seule machine, une grappe ne peut pas aller plus vite qu'un nœud : chaque écriture est faite trois fois (n = 3) sur les mêmes deux cœurs et attend deux copies (w = 2). Ces rapports mesurent donc le coût de la réplication, pas le gain d'une grappe répartie sur trois machines.",
  ...(failures.length > 0 ? ["", `Mesures en échec : ${failures.join(" ; ")}.`] : []),
  "",
  ...["sync-single", "sync-cluster", "portal-single", "portal-cluster"].flatMap((k) => [
    (sections[k] ?? "").replace(/^### /m, "#### "),
    "",
  ]),
].join("\n");
writeFileSync(path.resolve("docs/bench/cluster.md"), md);
console.log(`\n${md}`);
if (failures.length > 0) process.exit(1);
