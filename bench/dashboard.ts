import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { parisDate } from "../domain/history";
import type { StatsOptions } from "../domain/statistics";
import { startRealServer } from "../tests/browser/support/real-server";
import { firstOpenBench, pullRatioBench } from "./dashboard-first-open";
import { machineLine, median, percentile } from "./machine";
import {
  BENCH_APP_DIR,
  benchAccount,
  buildBenchApp,
  callHook,
  launchChromium,
  login,
  openAppPage,
  pairedRuns,
} from "./pages/counter-app";

const N = Number(process.env.BENCH_N ?? 100_000);
const QUICK = Number(process.env.BENCH_QUICK ?? 30_000);
const RUNS = Math.max(5, Number(process.env.BENCH_RUNS ?? 30));
const FULL_RUNS = Math.max(1, Number(process.env.BENCH_FULL_RUNS ?? Math.max(5, Math.ceil(RUNS / 3))));
const BATCH = 5_000;
const TARGET_MS = 500;
const root = path.resolve(import.meta.dirname, "..");
const appDir = BENCH_APP_DIR;
const READY = "[data-testid=dashboard][data-ready]";

const dash = <T>(page: Page, name: string, ...args: unknown[]) =>
  callHook<T>(page, "__guichetDashboard", name, ...args);
// The UI bench's hook (renderer/src/test-hook.ts): stopping sync, timing a route change.
const ui = <T>(page: Page, name: string, ...args: unknown[]) =>
  callHook<T>(page, "__guichetTest", name, ...args);

type Series = { label: string; xs: number[]; floorLabel: string; floor: number[]; target: boolean };

/** A measure and its floor, in turns (floor, measure, floor…): a burst of load on this shared machine hits both. */
async function paired(
  label: string,
  floorLabel: string,
  floor: () => Promise<number>,
  measure: () => Promise<number>,
  runs = RUNS,
  target = false,
): Promise<Series> {
  const { xs, fs } = await pairedRuns(label, runs, floor, measure);
  return { label, xs, floorLabel, floor: fs, target };
}

/**
 * BENCH_DASHBOARD_PARTS, comma-separated: "first-open" (received from the server), "local" (a replica
 * seeded in the page), "pull-ratio" (the pull with and without the rows only). Default: the first two.
 */
const PARTS = (process.env.BENCH_DASHBOARD_PARTS ?? "first-open,local").split(",");

async function main(): Promise<void> {
  buildBenchApp("dashboard");
  if (PARTS.includes("first-open")) {
    const server = await startRealServer(BENCH_APP_DIR);
    const browser = await launchChromium();
    try {
      await firstOpenBench(browser, server);
    } finally {
      await browser.close();
      await server.stop();
    }
  }
  if (PARTS.includes("pull-ratio")) {
    const server = await startRealServer(BENCH_APP_DIR);
    const browser = await launchChromium();
    try {
      await pullRatioBench(browser, server);
    } finally {
      await browser.close();
      await server.stop();
    }
  }
  if (PARTS.includes("local")) await localReplicaBench();
}

/** 100,000 requests seeded in the page's replica, the server stopped: reads, figures, openings. */
async function localReplicaBench(): Promise<void> {
  const server = await startRealServer(BENCH_APP_DIR);
  const user = await benchAccount(server.couch, server.commune, "chef", ["agent", "supervisor"]);
  const browser = await launchChromium();
  let serverStopped = false;
  try {
    const { context, page } = await openAppPage(browser, server.appUrl);
    await login(page, user);
    await page.waitForFunction(() => "__guichetTest" in window);
    await ui(page, "stopSync");
    const code = await page.evaluate(
      () => JSON.parse(localStorage.getItem("guichet.settings.v1") ?? "{}").workstationCode as string,
    );
    // Opening the dashboard once loads its code and installs its hook; then leave it while seeding.
    await page.getByRole("link", { name: "Tableau de bord" }).click();
    await page.waitForFunction(() => "__guichetDashboard" in window);
    await page.evaluate("location.hash = '#/settings'");
    await dash(page, "reset");

    console.log(`[dashboard] seeding ${N} requests and ${QUICK} immediate answers…`);
    const seedMs = await dash<number>(page, "seed", N, BATCH, QUICK, {
      code,
      commune: server.commune,
      username: user.username,
    });
    const count = await dash<{ requests: number; quick: number }>(page, "count");
    console.log(`[dashboard] seeded ${count.requests} + ${count.quick} in ${(seedMs / 1000).toFixed(1)} s`);
    await server.stop();
    serverStopped = true;

    const today = parisDate(new Date().toISOString());
    const addDays = (d: string, n: number) =>
      new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const periods: [string, StatsOptions][] = [
      ["ce mois-ci", { from: `${today.slice(0, 7)}-01`, to: today, today, riskDays: 15 }],
      ["30 derniers jours", { from: addDays(today, -29), to: today, today, riskDays: 15 }],
      ["cette année", { from: `${today.slice(0, 4)}-01-01`, to: today, today, riskDays: 15 }],
      ["12 derniers mois", { from: addDays(today, -364), to: today, today, riskDays: 15 }],
    ];
    const cursor = () => dash<number>(page, "floorCursor");
    const getAll = () => dash<number>(page, "floorGetAll");
    const emptyScreen = async () => {
      await ui(page, "timeScreen", "#/sync", "h1");
      return ui<number>(page, "timeScreen", "#/settings", "[data-testid=workstation-code]");
    };

    type Read = { requests: number; quick: number; fromSnapshot: boolean };
    const reads: Record<"full" | "snapshot", Read[]> = { full: [], snapshot: [] };
    const readWith = (snapshot: boolean) => async () => {
      const r = await dash<Read>(page, "timeRead", snapshot);
      if (r.fromSnapshot !== snapshot)
        throw new Error(`read from snapshot: ${r.fromSnapshot}, expected ${snapshot}`);
      reads[snapshot ? "snapshot" : "full"].push(r);
      return r.requests + r.quick;
    };
    const readFull = await paired(
      "(a) lecture, première ouverture sur ce poste : toutes les demandes → lignes",
      "curseur IndexedDB brut sur les mêmes documents",
      cursor,
      readWith(false),
      FULL_RUNS,
    );
    const readFullGetAll = await paired(
      "(a) lecture, première ouverture sur ce poste (même mesure, autre plancher)",
      "getAll IndexedDB brut, 10 000 par appel",
      getAll,
      readWith(false),
      Math.max(1, Math.floor(FULL_RUNS / 2)),
    );
    const saves: number[] = [];
    for (let i = 0; i < 5; i++) saves.push(await dash<number>(page, "timeSave"));
    const readSnapshot = await paired(
      "(a) lecture, sessions suivantes : lignes enregistrées + demandes modifiées depuis",
      "curseur IndexedDB brut sur les mêmes documents",
      cursor,
      readWith(true),
      RUNS,
      true,
    );
    const findExec = await paired(
      "lecture RxDB habituelle : find().exec() puis toJSON()",
      "curseur IndexedDB brut sur les mêmes documents",
      cursor,
      () => dash<number>(page, "timeFindExec"),
      Math.min(3, FULL_RUNS),
    );
    await dash(page, "timeRead", true);
    const compute: Series[] = [];
    for (const [name, opts] of periods) {
      compute.push(
        await paired(
          `(b) calcul des chiffres, période « ${name} »`,
          "—",
          async () => 0,
          async () => dash<number>(page, "timeCompute", opts),
          RUNS * 2,
          true,
        ),
      );
    }
    const openWith = (snapshot: boolean) => async () => {
      await ui(page, "timeScreen", "#/sync", "h1");
      await dash(page, "reset", { snapshot });
      return ui<number>(page, "timeScreen", "#/dashboard", READY);
    };
    const coldFull = await paired(
      "(c) première ouverture sur ce poste : route → tableau de bord dessiné",
      "curseur IndexedDB brut sur les mêmes documents",
      cursor,
      openWith(false),
      FULL_RUNS,
    );
    await dash(page, "timeSave");
    const coldSnapshot = await paired(
      "(c) première ouverture d'une session suivante : route → tableau de bord dessiné",
      "curseur IndexedDB brut sur les mêmes documents",
      cursor,
      openWith(true),
      RUNS,
      true,
    );
    const warm = await paired(
      "(c) ouvertures suivantes dans la session : route → tableau de bord dessiné",
      "changement d'écran sans données",
      emptyScreen,
      async () => {
        await ui(page, "timeScreen", "#/sync", "h1");
        return ui<number>(page, "timeScreen", "#/dashboard", READY);
      },
      RUNS,
      true,
    );
    writeReport({
      version: browser.version(),
      seedMs,
      count,
      readFull,
      readFullGetAll,
      readSnapshot,
      reads,
      saves,
      findExec,
      compute,
      coldFull,
      coldSnapshot,
      warm,
    });
    await context.close();
  } finally {
    await browser.close();
    if (!serverStopped) await server.stop();
  }
}

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`.replace(".", ",");
const nb = (x: number) => x.toLocaleString("fr-FR");

function chunkKb(pattern: RegExp): string {
  const dir = path.join(appDir, "assets");
  const bytes = readdirSync(dir)
    .filter((f) => pattern.test(f))
    .reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
  return Math.round(bytes / 1024).toLocaleString("fr-FR");
}

function line(s: Series): string {
  const p95 = percentile(s.xs, 95);
  const verdict = s.target ? (p95 <= TARGET_MS ? "tenu" : "**dépassé**") : "—";
  const floor =
    s.floorLabel === "—" ? "—" : `${s.floorLabel} : ${ms(median(s.floor))} / ${ms(percentile(s.floor, 95))}`;
  return `| ${s.label} | ${ms(median(s.xs))} | **${ms(p95)}** | ${ms(Math.max(...s.xs))} | ${s.xs.length} | ${floor} | ${s.target ? `≤ ${TARGET_MS} ms` : "—"} | ${verdict} |`;
}

function verdictLine(r: { compute: Series[]; coldSnapshot: Series; warm: Series; coldFull: Series }): string {
  const p95 = (s: Series) => percentile(s.xs, 95);
  const worstCompute = Math.max(...r.compute.map(p95));
  const next = r.coldSnapshot;
  const nextText =
    p95(next) <= TARGET_MS
      ? `tenu aussi pour la première ouverture d'une session suivante (${ms(median(next.xs))} / ${ms(p95(next))})`
      : `la première ouverture d'une session suivante est sous 500 ms au p50 (${ms(median(next.xs))}) mais pas au p95 (${ms(p95(next))}) sur cette machine partagée`;
  return `tenu pour le calcul (p95 ≤ ${ms(worstCompute)} quelle que soit la période) et pour les ouvertures dans une session (${ms(median(r.warm.xs))} / ${ms(p95(r.warm))}) ; ${nextText} ; la toute première ouverture sur un poste reste liée à la lecture complète d'IndexedDB (${ms(median(r.coldFull.xs))} au p50, ${(median(r.coldFull.xs) / median(r.coldFull.floor)).toFixed(1).replace(".", ",")} fois le curseur brut) et n'arrive qu'une fois par poste.`;
}

function writeReport(r: {
  version: string;
  seedMs: number;
  count: { requests: number; quick: number };
  readFull: Series;
  readFullGetAll: Series;
  readSnapshot: Series;
  reads: Record<"full" | "snapshot", { requests: number; quick: number }[]>;
  saves: number[];
  findExec: Series;
  compute: Series[];
  coldFull: Series;
  coldSnapshot: Series;
  warm: Series;
}): void {
  const cpu = os.cpus()[0]?.model ?? "?";
  const ratio = (s: Series) => (median(s.xs) / median(s.floor)).toFixed(1).replace(".", ",");
  const quickFull = median(r.reads.full.map((x) => x.quick));
  const lines = [
    "# Tableau de bord des encadrants : 100 000 demandes locales",
    "",
    `Machine : ${machineLine(`Chromium ${r.version}`)} (processeur « ${cpu} », ${os.cpus().length} cœurs partagés ; charge moyenne à la fin : ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")}).`,
    "",
    `Réplique : ${nb(r.count.requests)} demandes sur 400 jours (8 sur 10 avec un historique : attribuée, en cours, réponse envoyée de 0 à 44 jours après la réception, close) et ${nb(r.count.quick)} réponses immédiates, écrites par \`requestsRepo.bulkInsert\` en ${(r.seedMs / 1000).toFixed(1).replace(".", ",")} s. Stockage Dexie (IndexedDB), synchronisation arrêtée, serveur arrêté pendant les mesures (hors ligne).`,
    "",
    `Code du tableau de bord, chargé à sa première ouverture seulement : ${chunkKb(/^DashboardScreen.*\.js$/)} Ko (non compressé, chart.js compris), hors du JavaScript de démarrage du guichet.`,
    "",
    "Chaque mesure est prise dans la page (`performance.now()`), en alternance avec son plancher mesuré dans la même page (plancher, mesure, plancher…). Objectif : 500 ms au p95.",
    "",
    "| mesure | p50 | p95 | max | essais | plancher p50 / p95 (même page) | objectif p95 | verdict |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    line(r.readFull),
    line(r.readFullGetAll),
    line(r.readSnapshot),
    line(r.findExec),
    ...r.compute.map(line),
    line(r.coldFull),
    line(r.coldSnapshot),
    line(r.warm),
    "",
    "Ce qui compte :",
    "",
    `- **Objectif de 500 ms** : ${verdictLine(r)}`,
    `- **(a) Lecture, première ouverture sur le poste** : chaque demande est lue une fois par la lecture « modifié depuis » de RxDB (celle de la réplication, ordonnée par dernière écriture, par tranches de 5 000, sans construire de RxDocument) et réduite à une ligne de dix champs ; les réponses immédiates de même (${ms(quickFull)} au p50 de ce total). C'est ${ratio(r.readFull)} fois le curseur IndexedDB brut sur les mêmes documents : l'écart est surtout la conversion de chaque document par le stockage Dexie de RxDB. La lecture RxDB habituelle de toute la collection (\`find().exec()\`, qui construit en plus un RxDocument par demande) coûte ${ms(median(r.findExec.xs))} au p50, du même ordre ; seule la lecture par point de reprise permet ensuite de ne relire que les changements.`,
    `- **(a) Sessions suivantes** : les lignes sont enregistrées (colonnes compactes, dans une petite base IndexedDB à part, ${ms(median(r.saves))} au p50 pour les écrire, deux secondes après le dernier changement) avec le point de reprise de la lecture ; à l'ouverture suivante, le tableau de bord relit ces lignes puis seulement les demandes modifiées depuis, et vérifie le compte (sinon il relit tout).`,
    "- **(b) Calcul** : une passe sur les lignes en mémoire (jours ISO comparés comme des chaînes, arithmétique des jours mise en cache par jour distinct) : c'est ce que coûte un changement de période ou de seuil.",
    "- **(c) Affichage** : du changement de route au tableau de bord dessiné (graphiques compris). Dans une session, les lignes restent en mémoire et suivent la collection (écritures locales et synchronisation) : rouvrir le tableau de bord ne relit rien. Seule la toute première ouverture sur un poste paie la lecture complète, bornée par IndexedDB (voir son plancher).",
    "- Relancer : `npm run bench:dashboard` (BENCH_N, BENCH_QUICK, BENCH_RUNS, BENCH_FULL_RUNS pour un essai réduit).",
    "",
  ];
  mkdirSync(path.join(root, "docs/bench"), { recursive: true });
  writeFileSync(path.join(root, "docs/bench/dashboard.md"), lines.join("\n"));
  console.log("[dashboard] docs/bench/dashboard.md written");
}

// PouchDB/LevelDB leave handles behind after stop(): exit explicitly.
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
