/**
 * `npm run bench:sync`: push and pull of N requests between a Chromium replica (RxDB + Dexie +
 * Guichet's CouchDB handlers) and the server, beside PouchDB's own replicator (pouchdb-browser)
 * and the raw HTTP floor, same server, same data, same run. Writes docs/bench/sync.md.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import type { GuichetRequest } from "../domain/request";
import { bootstrap } from "../sync-server/couch/bootstrap";
import { randomPassword } from "../sync-server/couch/secrets";
import { addUser } from "../sync-server/couch/users";
import { startTestCouch, TEST_CORS_ORIGIN } from "../tests/integration/support/test-couch";
import { machineLine, median } from "./machine";
import { launchChromium } from "./pages/counter-app";
import { profiled } from "./pages/cpu-profile";
import { type CpuPart, cpuByPart, treeCpuMs } from "./process-cpu";
import { benchRequests } from "./sync-docs";

const N = Number(process.env.BENCH_SYNC_DOCS ?? 5000);
const ROUNDS = Number(process.env.BENCH_SYNC_ROUNDS ?? 3);
const BATCH = {
  push: Number(process.env.BENCH_PUSH_BATCH ?? 250),
  pull: Number(process.env.BENCH_PULL_BATCH ?? 500),
};
const POUCH_BATCH = 100; // PouchDB's default batch_size

type Auth = { username: string; password: string };
type Target = { dbUrl: string; auth: Auth; docs: GuichetRequest[] };

async function main() {
  const couch = await startTestCouch();
  const dir = mkdtempSync(path.join(tmpdir(), "guichet-bench-sync-"));
  await build({
    entryPoints: [path.resolve("bench/pages/sync-page.ts")],
    bundle: true,
    format: "esm",
    outfile: path.join(dir, "page.js"),
    define: { "process.env.NODE_ENV": '"production"', global: "globalThis" },
    logLevel: "error",
  });
  writeFileSync(
    path.join(dir, "index.html"),
    '<!doctype html><meta charset="utf-8"><title>…</title><script type="module" src="page.js"></script>',
  );
  const { readFileSync } = await import("node:fs");
  const server = createServer((req, res) => {
    const file = req.url === "/page.js" ? "page.js" : "index.html";
    res.setHeader("Content-Type", file.endsWith(".js") ? "text/javascript" : "text/html");
    res.end(readFileSync(path.join(dir, file)));
  });
  // BENCH_SYNC_ORIGIN: another page origin, for an external CouchDB whose CORS allows it (the
  // embedded server allows TEST_CORS_ORIGIN only).
  const origin = process.env.BENCH_SYNC_ORIGIN ?? TEST_CORS_ORIGIN;
  const port = Number(new URL(origin).port);
  await new Promise<void>((r) => server.listen(port, "localhost", r));

  const browser = await launchChromium();
  /**
   * Each measured method gets a page of its own, in a fresh browser context: an empty IndexedDB,
   * as a workstation has. Chromium keeps one store per context for all of an origin's databases,
   * and what earlier methods wrote there (even removed) slowed every later write, by several times
   * in one run: the order of the methods, not the methods, made the figures.
   */
  const freshPage = async (): Promise<Page> => {
    const p = await browser.newPage();
    await p.exposeFunction("benchCpuMark", (at: "start" | "end") => {
      marks[at] = cpuAt();
    });
    await p.goto(`${origin}/`);
    await p.waitForFunction(() => document.title === "ready");
    return p;
  };
  let page: Page;

  /** A fresh commune (databases, VDU, agent) per measured push: every method writes into an empty database. */
  let k = 0;
  async function target(code: string): Promise<Target> {
    const commune = `bench-${Date.now().toString(36)}-${k++}`;
    await bootstrap(couch.couch, commune);
    const user = { name: `bench-agent.${commune}`, password: randomPassword() };
    await addUser(couch.couch, { ...user, roles: ["agent"], services: [], commune });
    return {
      dbUrl: `${couch.url}/guichet-${commune}`,
      auth: { username: user.name, password: user.password },
      docs: benchRequests(N, commune, user.name, code),
    };
  }

  const load0 = loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
  const results: Record<string, number[]> = {};
  const add = (k: string, ms: number) => {
    results[k] = [...(results[k] ?? []), ms];
    console.log(`${k}: ${ms.toFixed(0)} ms`);
  };
  /** Each method's CPU time (this process and its children: the page, Chromium, an embedded server). */
  // BENCH_SERVER_PID: a server started apart (CouchDB) whose CPU counts too.
  const roots = [
    process.pid,
    ...(process.env.BENCH_SERVER_PID ? [Number(process.env.BENCH_SERVER_PID)] : []),
  ];
  const parts: CpuPart[] = ["node", "chromium", "page", "other"];
  // Read when the page starts and ends its measured part: set-up and tear-down (the documents
  // handed to the page, the replica filled before a push, the database removed) do not count.
  type CpuAt = { tree: number; parts: Record<CpuPart, number> };
  const cpuAt = (): CpuAt => ({ tree: treeCpuMs(roots), parts: cpuByPart(roots) });
  let marks: { start?: CpuAt; end?: CpuAt } = {};
  // Pages are closed only at the end: a renderer process that exits between two marks would take
  // its CPU time out of the sum.
  const pages: Page[] = [];
  const withCpu = async (k: string, fn: () => Promise<void>) => {
    page = await freshPage();
    pages.push(page);
    marks = {};
    await fn();
    const { start, end } = marks;
    if (!start || !end) throw new Error(`${k}: the page did not mark its measured part`);
    add(`${k} CPU`, end.tree - start.tree);
    for (const part of parts) add(`${k} CPU ${part}`, end.parts[part] - start.parts[part]);
  };
  for (let round = 0; round < ROUNDS; round++) {
    const [g, p, r, f] = [await target("A2K"), await target("B3M"), await target("C4N"), await target("E6Q")];
    // Rotate the order so no method always runs on a warmer server.
    const pushes = [
      async () => {
        const o = await page.evaluate(([t, b]) => window.bench.guichetPush(t.docs, t.dbUrl, t.auth, b), [
          g,
          BATCH,
        ] as const);
        if (o.pending !== 0) throw new Error(`guichet push left ${o.pending} pending`);
        add("guichet push", o.ms);
        add("guichet push, time with a request in flight", o.networkMs);
        const bulk = o.calls.filter((c) => c.path === "_bulk_docs");
        console.log(
          `  (${o.calls.length} calls: ${o.calls[0]?.path} ${o.calls[0]?.t0.toFixed(0)}→${o.calls[0]?.t1.toFixed(0)}, _bulk_docs ${bulk[0]?.t0.toFixed(0)}→${bulk.at(-1)?.t1.toFixed(0)}, end ${o.ms.toFixed(0)})`,
        );
      },
      async () => {
        const o = await page.evaluate(([t, b]) => window.bench.pouchPush(t.docs, t.dbUrl, t.auth, b), [
          p,
          POUCH_BATCH,
        ] as const);
        if (o.written !== N) throw new Error(`pouch wrote ${o.written}`);
        add("pouchdb push", o.ms);
      },
      async () => {
        add(
          "raw _bulk_docs",
          (
            await page.evaluate(([t, b]) => window.bench.rawPush(t.docs, t.dbUrl, t.auth, b), [
              r,
              BATCH.push,
            ] as const)
          ).ms,
        );
      },
      async () => {
        const o = await page.evaluate(([t, b]) => window.bench.floorPush(t.docs, t.dbUrl, t.auth, b), [
          f,
          BATCH,
        ] as const);
        if (o.sent !== N || o.pending !== 0) throw new Error(`floor push sent ${o.sent}, left ${o.pending}`);
        add("bare replication push", o.ms);
      },
    ];
    const pushNames = ["guichet push", "pouchdb push", "raw _bulk_docs", "bare replication push"];
    for (let i = 0; i < pushes.length; i++)
      await withCpu(pushNames[(i + round) % pushes.length]!, pushes[(i + round) % pushes.length]!);
    const pulls = [
      async () => {
        const o = await page.evaluate(([t, b]) => window.bench.guichetPull(t.dbUrl, t.auth, b), [
          g,
          BATCH,
        ] as const);
        if (o.count !== N) throw new Error(`guichet pulled ${o.count}`);
        add("guichet pull", o.ms);
      },
      async () => {
        const o = await page.evaluate(([t, b]) => window.bench.pouchPull(t.dbUrl, t.auth, b), [
          g,
          POUCH_BATCH,
        ] as const);
        if (o.count < N) throw new Error(`pouch pulled ${o.count}`);
        add("pouchdb pull", o.ms);
      },
      async () => {
        const o = await page.evaluate(([t, b]) => window.bench.rawPull(t.dbUrl, t.auth, b), [
          g,
          BATCH.pull,
        ] as const);
        add("raw _changes", o.ms);
      },
      async () => {
        add("IndexedDB bulk insert", (await page.evaluate((t) => window.bench.localInsert(t.docs), g)).ms);
      },
      async () => {
        const o = await page.evaluate(([t, b]) => window.bench.floorPull(t.dbUrl, t.auth, b), [
          g,
          BATCH,
        ] as const);
        if (o.count !== N) throw new Error(`floor pull stored ${o.count}`);
        add("bare replication pull", o.ms);
      },
    ];
    const pullNames = [
      "guichet pull",
      "pouchdb pull",
      "raw _changes",
      "IndexedDB bulk insert",
      "bare replication pull",
    ];
    for (let i = 0; i < pulls.length; i++)
      await withCpu(pullNames[(i + round) % pulls.length]!, pulls[(i + round) % pulls.length]!);
    // The pull's floor: reading the feed, then writing what it holds locally (same round).
    add(
      "raw _changes + IndexedDB",
      results["raw _changes"]!.at(-1)! + results["IndexedDB bulk insert"]!.at(-1)!,
    );
    add(
      "raw _changes + IndexedDB CPU",
      results["raw _changes CPU"]!.at(-1)! + results["IndexedDB bulk insert CPU"]!.at(-1)!,
    );
  }
  // BENCH_PROFILE=1: one more Guichet push and pull under Chromium's CPU profiler, self time per function.
  if (process.env.BENCH_PROFILE) {
    page = await freshPage();
    const t = await target("D5P");
    const push = await profiled(page, () =>
      page.evaluate(([t, b]) => window.bench.guichetPush(t.docs, t.dbUrl, t.auth, b), [t, BATCH] as const),
    );
    console.log(`profile, guichet push (${push.value.ms.toFixed(0)} ms):\n${push.top.join("\n")}`);
    for (const c of push.value.calls) console.log(`  ${c.path} ${c.t0.toFixed(0)} → ${c.t1.toFixed(0)}`);
    const pull = await profiled(page, () =>
      page.evaluate(([t, b]) => window.bench.guichetPull(t.dbUrl, t.auth, b), [t, BATCH] as const),
    );
    console.log(`profile, guichet pull (${pull.value.ms.toFixed(0)} ms):\n${pull.top.join("\n")}`);
  }
  const version = browser.version();
  for (const p of pages) await p.close();
  await browser.close();
  server.close();
  await couch.stop();

  const m = (k: string) => median(results[k] ?? []);
  // Ratios per round, then their median: a burst of load on this shared machine hits a round's pair alike.
  const ratio = (k: string, of: string) =>
    median((results[k] ?? []).map((x, i) => x / (results[of]?.[i] ?? Number.NaN))).toFixed(2);
  const row = (label: string, k: string, peer: string, floor: string) =>
    `| ${label} | ${m(k).toFixed(0)} | ${m(peer).toFixed(0)} | ${ratio(k, peer)}× | ${m(floor).toFixed(0)} | ${ratio(k, floor)}× |`;
  const md = [
    `### Synchronisation (${N} demandes, médiane de ${ROUNDS} tours)`,
    "",
    `${machineLine(`Chromium ${version}`)} — serveur : ${process.env.BENCH_COUCH_LABEL ?? (couch.kind === "couchdb" ? "Apache CouchDB 3 (COUCHDB_URL)" : "PouchDB Server embarqué")}; lots Guichet push ${BATCH.push} / pull ${BATCH.pull}, PouchDB ${POUCH_BATCH}.`,
    "",
    "| sens | Guichet (ms) | PouchDB replicate (ms) | Guichet / PouchDB | plancher (ms) | Guichet / plancher |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    row("envoi (push)", "guichet push", "pouchdb push", "raw _bulk_docs"),
    row("réception (pull)", "guichet pull", "pouchdb pull", "raw _changes + IndexedDB"),
    row("envoi, temps CPU", "guichet push CPU", "pouchdb push CPU", "raw _bulk_docs CPU"),
    row("réception, temps CPU", "guichet pull CPU", "pouchdb pull CPU", "raw _changes + IndexedDB CPU"),
    row("envoi, réplication nue (2e plancher)", "bare replication push", "pouchdb push", "raw _bulk_docs"),
    row(
      "réception, réplication nue (2e plancher)",
      "bare replication pull",
      "pouchdb pull",
      "raw _changes + IndexedDB",
    ),
    "",
    `Guichet rapporté à la réplication nue du même tour (médiane des tours) : envoi ${ratio("guichet push", "bare replication push")}×, réception ${ratio("guichet pull", "bare replication pull")}× ; en temps CPU : envoi ${ratio("guichet push CPU", "bare replication push CPU")}×, réception ${ratio("guichet pull CPU", "bare replication pull CPU")}×.`,
    "",
    "Où va le temps CPU (médianes, ms) : le processus Node du banc (le banc lui-même et le serveur embarqué), le processus principal de Chromium (le moteur d'IndexedDB y tourne), la page (JavaScript, RxDB, Dexie, côté client d'IndexedDB), les autres processus.",
    "",
    "| méthode | Node (serveur) | Chromium (IndexedDB) | page | autres |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...[
      ["envoi Guichet", "guichet push"],
      ["envoi PouchDB", "pouchdb push"],
      ["`_bulk_docs` brut", "raw _bulk_docs"],
      ["réception Guichet", "guichet pull"],
      ["réception PouchDB", "pouchdb pull"],
      ["`_changes` brut", "raw _changes"],
      ["écriture IndexedDB seule", "IndexedDB bulk insert"],
      ["envoi, réplication nue", "bare replication push"],
      ["réception, réplication nue", "bare replication pull"],
    ].map(([label, k]) => `| ${label} | ${parts.map((p) => m(`${k} CPU ${p}`).toFixed(0)).join(" | ")} |`),
    "",
    `Planchers mesurés dans le même tour : envoi = \`_bulk_docs\` brut depuis la page, mêmes documents, lots de ${BATCH.push} ; réception = lecture brute de \`_changes?include_docs\` sans rien stocker (${m("raw _changes").toFixed(0)} ms) puis écriture IndexedDB seule des ${N} documents (${m("IndexedDB bulk insert").toFixed(0)} ms). Temps CPU : celui de tous les processus du banc (la page et Chromium, le serveur embarqué${process.env.BENCH_SERVER_PID ? ", le CouchDB de BENCH_SERVER_PID" : " ; un CouchDB lancé à part seulement avec BENCH_SERVER_PID"}) pendant chaque méthode, moins sensible que la durée à la charge des autres. Rapports : médiane des rapports de chaque tour. Charge moyenne (1/5/15 min) : ${load0} au début, ${loadavg()
      .map((l) => l.toFixed(1))
      .join(" / ")} à la fin. Par tour (ms) : ${Object.entries(results)
      .filter(([k]) => !/ CPU (node|chromium|page|other)$/.test(k))
      .map(([k, xs]) => `${k} ${xs.map((x) => x.toFixed(0)).join(", ")}`)
      .join(" ; ")}.`,
    "",
  ].join("\n");
  const out = process.env.BENCH_OUT ?? `docs/bench/sync${couch.kind === "couchdb" ? "-couchdb" : ""}.md`;
  writeFileSync(path.resolve(out), md);
  console.log(md);
}

declare global {
  interface Window {
    benchCpuMark?: (at: "start" | "end") => Promise<void>;
    bench: {
      guichetPush(
        docs: GuichetRequest[],
        dbUrl: string,
        auth: Auth,
        b: { push: number; pull: number },
      ): Promise<{
        ms: number;
        pending: number;
        networkMs: number;
        calls: { path: string; t0: number; t1: number }[];
      }>;
      guichetPull(
        dbUrl: string,
        auth: Auth,
        b: { push: number; pull: number },
      ): Promise<{ ms: number; count: number }>;
      pouchPush(
        docs: GuichetRequest[],
        dbUrl: string,
        auth: Auth,
        b: number,
      ): Promise<{ ms: number; written: number }>;
      pouchPull(dbUrl: string, auth: Auth, b: number): Promise<{ ms: number; count: number }>;
      rawPush(docs: GuichetRequest[], dbUrl: string, auth: Auth, b: number): Promise<{ ms: number }>;
      rawPull(dbUrl: string, auth: Auth, b: number): Promise<{ ms: number; count: number }>;
      localInsert(docs: GuichetRequest[]): Promise<{ ms: number }>;
      floorPush(
        docs: GuichetRequest[],
        dbUrl: string,
        auth: Auth,
        b: { push: number; pull: number },
      ): Promise<{ ms: number; sent: number; pending: number }>;
      floorPull(
        dbUrl: string,
        auth: Auth,
        b: { push: number; pull: number },
      ): Promise<{ ms: number; count: number }>;
    };
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
