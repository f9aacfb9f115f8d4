import { createReadStream, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import type { Page } from "playwright-core";
import { searchKey } from "../domain/history";
import { formatTrackingNumber } from "../domain/tracking-number";
import { startRealServer } from "../tests/browser/support/real-server";
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
const RUNS = Math.max(50, Number(process.env.BENCH_RUNS ?? 60));
const COLD_RUNS = Math.max(10, Number(process.env.BENCH_COLD_RUNS ?? 20));
const BATCH = 5_000;
const root = path.resolve(import.meta.dirname, "..");
const appDir = BENCH_APP_DIR;

type Hook = {
  ready: Promise<boolean>;
  seed(
    total: number,
    batch: number,
    ws: { code: string; commune: string; username: string },
  ): Promise<number>;
  count(): Promise<number>;
  stopSync(): Promise<void>;
  sampleIds(n: number): Promise<string[]>;
  timeQueue(service: string): Promise<number>;
  timeTracking(input: string): Promise<number>;
  timeName(text: string): Promise<number>;
  timeWords(text: string): Promise<number>;
  indexWords(): Promise<number>;
  timeGet(id: string): Promise<number>;
  timeScreen(hash: string, selector: string): Promise<number>;
  floorGet(id: string): Promise<number>;
  floorCursor(service: string): Promise<number>;
  coldMarks(): Promise<{ nav: number; rows: number }>;
};

/** Calls one hook function in the page. */
function hook<K extends keyof Hook>(
  page: Page,
  name: K,
  ...args: unknown[]
): Promise<Awaited<ReturnType<Extract<Hook[K], (...a: never[]) => unknown>>>> {
  return callHook(page, "__guichetTest", name, ...args) as never;
}

/**
 * A measure and its floor, run in turns (floor, measure, floor, measure…): on a shared machine a
 * burst of load hits both, so the pair stays comparable.
 */
async function paired(
  label: string,
  floorLabel: string,
  floor: (i: number) => Promise<number>,
  measure: (i: number) => Promise<number>,
  target: number | null = 30,
): Promise<Row> {
  const { xs, fs } = await pairedRuns(label, RUNS, floor, measure);
  return row(label, xs, target, floorLabel, fs);
}

const SERVICES = ["accueil", "scolaire", "etat_civil", "elections", "services_techniques", "bibliotheque"];
const NAMES = ["mart", "lefe", "guer", "dup", "garc", "mull", "fran", "chev", "roux", "bonn"];
// Any word of the name, typed without accents or capitals: first names are the key's second word.
const NAME_WORDS = [
  "muller",
  "eloise",
  "ines",
  "chloe",
  "raphael",
  "garcia",
  "guerin",
  "zoe",
  "francois",
  "lefevre",
];
const SUBJECT_WORDS = [
  "naissance",
  "electorales",
  "bibliotheque",
  "restauration",
  "republique",
  "recensement",
  "accueil",
  "domaine public",
  "inscription listes",
  "generale",
];

async function main(): Promise<void> {
  buildBenchApp("ui");
  const server = await startRealServer(BENCH_APP_DIR);
  const user = await benchAccount(
    server.couch,
    server.commune,
    "bench",
    ["agent", "service_agent"],
    ["accueil"],
  );
  const browser = await launchChromium();
  let serverStopped = false;
  let offline: Server | null = null;
  try {
    const { context, page } = await openAppPage(browser, server.appUrl);
    // Seeding and indexing 100,000 requests outlast the 5-minute idle lock on a loaded machine: the
    // screens measured after would wait behind the lock screen (the tests' own override, ≥ 1 s).
    await page.evaluate(() => localStorage.setItem("guichet.idleLockMs", String(24 * 3_600_000)));
    await login(page, user);
    await hook(page, "stopSync");
    const code = await page.evaluate(
      () => JSON.parse(localStorage.getItem("guichet.settings.v1") ?? "{}").workstationCode as string,
    );
    await page.evaluate(() => {
      location.hash = "#/settings";
    });

    console.log(`[ui] seeding ${N} requests in batches of ${BATCH}…`);
    const seedMs = await hook(page, "seed", N, BATCH, {
      code,
      commune: server.commune,
      username: user.username,
    });
    const count = await hook(page, "count");
    console.log(`[ui] seeded ${count} in ${(seedMs / 1000).toFixed(1)} s`);
    const indexMs = await hook(page, "indexWords");
    console.log(`[ui] word index complete ${(indexMs / 1000).toFixed(1)} s after the seed`);
    await server.stop();
    serverStopped = true;
    // The app's own files stay reachable (as from Electron's local files); the server does not.
    offline = await serveAppOnly(new URL(server.apiUrl).port);

    // Distinct requests per series: a document read once is served from RxDB's document cache after.
    const ids = await hook(page, "sampleIds", RUNS * 3);
    const idAt = (i: number, series: number) => ids[series * RUNS + (i % RUNS)]!;
    const service = (i: number) => SERVICES[i % SERVICES.length]!;
    const cursor = (i: number) => hook(page, "floorCursor", service(i));
    const get = (i: number) => hook(page, "floorGet", ids[(i * 7) % ids.length]!);
    const emptyScreen = async () => {
      await hook(page, "timeScreen", "#/sync", "h1");
      return hook(page, "timeScreen", "#/settings", "[data-testid=workstation-code]");
    };
    const results: Row[] = [
      await paired(
        "Ouvrir la file « Mon service » : 1re page (requête, 50 lignes)",
        "curseur d'index brut, 50 lignes",
        cursor,
        (i) => hook(page, "timeQueue", service(i)),
        10,
      ),
      await paired(
        "Ouvrir la file « Mon service » : lignes affichées",
        "changement d'écran sans données",
        emptyScreen,
        async () => {
          await hook(page, "timeScreen", "#/sync", "h1");
          return hook(page, "timeScreen", "#/queue/service", "[data-testid=queue-row]");
        },
        null,
      ),
      await paired("Recherche par numéro de suivi", "get IndexedDB par clé", get, (i) =>
        hook(page, "timeTracking", formatTrackingNumber(idAt(i, 0)).toLowerCase()),
      ),
      await paired(
        `Recherche par nom (préfixes ${NAMES.slice(0, 3).join(", ")}…)`,
        "curseur d'index brut, 50 lignes",
        cursor,
        (i) => hook(page, "timeName", NAMES[i % NAMES.length]!),
      ),
      await paired(
        `Recherche par un mot quelconque du nom (${NAME_WORDS.slice(0, 3).join(", ")}…)`,
        "curseur d'index brut, 50 lignes",
        cursor,
        (i) => hook(page, "timeName", NAME_WORDS[i % NAME_WORDS.length]!),
        10,
      ),
      await paired(
        `Recherche par mots de l'objet (${SUBJECT_WORDS.slice(0, 3).join(", ")}…)`,
        "curseur d'index brut, 50 lignes",
        cursor,
        (i) => hook(page, "timeWords", SUBJECT_WORDS[i % SUBJECT_WORDS.length]!),
        10,
      ),
      await paired("Ouvrir une demande (lecture)", "get IndexedDB par clé", get, (i) =>
        hook(page, "timeGet", idAt(i, 1)),
      ),
      await paired(
        "Ouvrir une demande : détail affiché",
        "changement d'écran sans données",
        emptyScreen,
        async (i) => {
          await hook(page, "timeScreen", "#/sync", "h1");
          return hook(page, "timeScreen", `#/request/${idAt(i, 2)}`, "[data-testid=detail-tracking]");
        },
        null,
      ),
    ];

    const cold = await coldStarts(page, user);
    const version = browser.version();
    writeReport({ results, cold, version, seedMs, indexMs, count, searchNames: NAMES.map(searchKey) });
    await context.close();
  } finally {
    await browser.close();
    if (!serverStopped) await server.stop();
    offline?.closeAllConnections();
    offline?.close();
  }
}

/** Same origin as the stopped server (same IndexedDB), app files only; every API call gets 503. */
async function serveAppOnly(port: string): Promise<Server> {
  const types: Record<string, string> = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
  };
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (!url.pathname.startsWith("/guichet/")) {
      res.writeHead(503).end();
      return;
    }
    const rel = path.normalize(url.pathname.slice("/guichet/".length)).replace(/^(\.\.[/\\])+/, "");
    let file = path.join(appDir, rel);
    if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(appDir, "index.html");
    res.writeHead(200, {
      "Content-Type": `${types[path.extname(file)] ?? "application/octet-stream"}; charset=utf-8`,
    });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => s.listen(Number(port), "127.0.0.1", r));
  return s;
}

type Cold = { total: number[]; form: number[]; login: number[]; list: number[] };

/**
 * Reload → login form → (offline) login → first rows of the service queue. Times are read in the
 * page (performance.now() counts from the navigation), the login typed by the bench at once.
 */
async function coldStarts(page: Page, user: { username: string; password: string }): Promise<Cold> {
  const c: Cold = { total: [], form: [], login: [], list: [] };
  await page.evaluate("location.hash = '#/queue/service'");
  for (let i = 0; i < COLD_RUNS; i++) {
    // Without the session marker a reload opens the login form (with it, the lock screen).
    await page.evaluate("localStorage.removeItem('guichet.session.v1')");
    await page.reload();
    const field = page.getByLabel("Identifiant");
    await field.waitFor();
    const form = (await page.evaluate("performance.now()")) as number;
    await field.fill(user.username);
    await page.getByLabel("Mot de passe").fill(user.password);
    const submitted = (await page.evaluate(
      "(document.querySelector('form button[type=submit]').click(), performance.now())",
    )) as number;
    const done = await hook(page, "coldMarks");
    c.form.push(form);
    c.login.push(done.nav - submitted);
    c.list.push(done.rows - done.nav);
    // The bench's own typing time (a few ms) is not the app's: it is left out of the total.
    c.total.push(form + (done.rows - submitted));
  }
  console.log(
    `cold start: p50 ${median(c.total).toFixed(0)} ms, p95 ${percentile(c.total, 95).toFixed(0)} ms`,
  );
  return c;
}

type Row = {
  label: string;
  p50: number;
  p95: number;
  max: number;
  runs: number;
  /** p95 target of the data reads; null for the on-screen figures, given for information. */
  target: number | null;
  floorLabel: string;
  floorP50: number;
  floorP95: number;
};

function row(label: string, xs: number[], target: number | null, floorLabel: string, floor: number[]): Row {
  return {
    label,
    p50: median(xs),
    p95: percentile(xs, 95),
    max: Math.max(...xs),
    runs: xs.length,
    target,
    floorLabel,
    floorP50: median(floor),
    floorP95: percentile(floor, 95),
  };
}

function verdict(x: Row): string {
  if (x.target === null) return x.p95 <= 30 ? "sous 30 ms" : "au-delà de 30 ms";
  return x.p95 <= x.target ? "tenu" : "**dépassé**";
}

function bundleKb(): string {
  const dir = path.join(appDir, "assets");
  const bytes = readdirSync(dir)
    .filter((f) => f.endsWith(".js"))
    .reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
  return Math.round(bytes / 1024).toLocaleString("fr-FR");
}

const ms = (x: number) => `${x < 10 ? x.toFixed(1) : x.toFixed(0)} ms`.replace(".", ",");

function writeReport(r: {
  results: Row[];
  cold: Cold;
  version: string;
  seedMs: number;
  indexMs: number;
  count: number;
  searchNames: string[];
}): void {
  const cpu = os.cpus()[0]?.model ?? "?";
  const lines = [
    "# Application du guichet : 100 000 demandes locales",
    "",
    `Machine : ${machineLine(`Chromium ${r.version}`)} (processeur « ${cpu} », ${os.cpus().length} cœurs partagés ; charge moyenne à la fin : ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")}).`,
    "",
    `JavaScript de l'application : ${bundleKb()} Ko (non compressé), chargé depuis le disque du poste ou le serveur.`,
    "",
    `Réplique : ${r.count.toLocaleString("fr-FR")} demandes écrites par \`requestsRepo.bulkInsert\` par lots de ${BATCH.toLocaleString("fr-FR")} en ${(r.seedMs / 1000).toFixed(1).replace(".", ",")} s (validation zod comprise). Stockage Dexie (IndexedDB), synchronisation arrêtée, serveur arrêté pendant les mesures.`,
    "",
    `Index des mots (chaque mot du nom, de l'objet et du lieu, \`renderer/db/word-index.ts\`) : construit en arrière-plan pendant et après l'écriture, complet ${(r.indexMs / 1000).toFixed(1).replace(".", ",")} s après la fin de l'écriture ; c'est aussi ce que fait un poste existant à son premier démarrage avec cette version (la recherche lit sans l'index en attendant).`,
    "",
    `Chaque mesure est prise dans la page (\`performance.now()\`), ${r.results[0]?.runs ?? RUNS} fois, caches de RxDB et de React Query vidés avant chaque essai ; le « plancher » est mesuré dans la même page, en alternance avec la mesure (plancher, mesure, plancher…) : lecture brute de l'IndexedDB de RxDB pour les requêtes, changement d'écran sans données pour les écrans.`,
    "",
    "| mesure | p50 | p95 | max | essais | objectif p95 | plancher (même page) | plancher p50 / p95 | verdict |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...r.results.map(
      (x) =>
        `| ${x.label} | ${ms(x.p50)} | **${ms(x.p95)}** | ${ms(x.max)} | ${x.runs} | ${x.target === null ? "— (affichage)" : `≤ ${x.target} ms`} | ${x.floorLabel} | ${ms(x.floorP50)} / ${ms(x.floorP95)} | ${verdict(x)} |`,
    ),
    `| Démarrage à froid : rechargement → premières lignes de la file | ${ms(median(r.cold.total))} | **${ms(percentile(r.cold.total, 95))}** | ${ms(Math.max(...r.cold.total))} | ${r.cold.total.length} | ≤ 1 000 ms | — | — | ${percentile(r.cold.total, 95) <= 1000 ? "tenu" : "**dépassé**"} |`,
    "",
    "Démarrage à froid, décomposé (p50 / p95) :",
    "",
    `- rechargement → formulaire de connexion prêt (JavaScript chargé, base locale ouverte en parallèle) : ${ms(median(r.cold.form))} / ${ms(percentile(r.cold.form, 95))} ;`,
    `- connexion hors ligne (serveur arrêté : appel refusé, puis PBKDF2-SHA-256 600 000 itérations) : ${ms(median(r.cold.login))} / ${ms(percentile(r.cold.login, 95))} ;`,
    `- connexion → premières lignes de la file « Mon service » : ${ms(median(r.cold.list))} / ${ms(percentile(r.cold.list, 95))}.`,
    "",
    "Notes :",
    "",
    "- Objectifs p95 (issue #20) : 10 ms pour la 1re page de la file et les recherches par mots, 1 000 ms pour le démarrage à froid ; 30 ms pour les autres requêtes. Les lignes « affiché » sont données en plus : elles ajoutent le rendu React et la mise en page du navigateur sur cette machine partagée, et dépassent 30 ms au p95 ; la lecture des données n'en est qu'une petite part (voir la ligne « requête » correspondante).",
    "- « requête » : la fonction que l'écran appelle (`fetchPage`, `findByTracking`, `findByName`, `requestsRepo.get`), sans rendu ; « affiché » : du changement de route à l'apparition des éléments dans le DOM (rendu React compris).",
    "- La recherche à l'écran attend 200 ms de pause dans la frappe avant de chercher (anti-rebond) ; cette attente voulue n'est pas comptée.",
    `- Préfixes de nom cherchés : ${r.searchNames.join(", ")} ; mots quelconques du nom : ${NAME_WORDS.join(", ")} ; mots de l'objet : ${SUBJECT_WORDS.join(", ")} ; numéros de suivi tapés en minuscules avec tiret.`,
    "- Nom et objet : chaque mot tapé est le début d'un mot du nom (ou de l'objet et du lieu), accents et majuscules ignorés ; un mot est une plage de la clé primaire de `search_words`, puis les 50 demandes sont lues par clé (objectif p95 ≤ 10 ms).",
    "- Relancer : `npx tsx bench/ui.ts` (BENCH_N, BENCH_RUNS, BENCH_COLD_RUNS pour un essai réduit).",
    "",
  ];
  mkdirSync(path.join(root, "docs/bench"), { recursive: true });
  writeFileSync(path.join(root, "docs/bench/ui.md"), lines.join("\n"));
  console.log("[ui] docs/bench/ui.md written");
}

// PouchDB/LevelDB and the mail sink leave handles behind after stop(): exit explicitly.
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
