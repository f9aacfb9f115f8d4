/**
 * Intake benchmark (`npx tsx bench/portal.ts`): online submissions through the JSON API against
 * the embedded server (validated → tracking number → stored), with autocannon.
 * - maximum throughput (50 connections), then how long the server takes to catch up (accusés,
 *   changes feeds) before anything else is measured;
 * - latency at a constant 50 requests/s, always on a server that has caught up, accusés included;
 * - the physical floors of the same run: a trivial endpoint of the same HTTP stack
 *   (GET /api/v1/health), a CouchDB PUT of the same document one at a time, and the same documents
 *   grouped 20 per `_bulk_docs` (what the intake's group commit does), all as the portal account
 *   with a session cookie, as the server itself does.
 * Three processes besides this one: the two servers (with and without the accusés) and the SMTP
 * relay, so that neither the relay nor a server takes CPU from autocannon's thread.
 * The table goes to docs/bench/portal.md.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { findDemarche } from "../domain/catalogue";
import { DEMO_COMMUNE } from "../domain/commune";
import { DEFAULT_CATALOGUE } from "../domain/default-catalogue";
import { newRequest } from "../domain/new-request";
import { makeTrackingNumber } from "../domain/tracking-number";
import { serviceAccountName, serviceSecretKey } from "../sync-server/couch/service-accounts";
import { machineLine, median } from "./machine";

type Histogram = { average: number; p50: number; p90: number; p99: number; max: number };
type Result = {
  requests: Histogram & { total: number };
  latency: Histogram;
  non2xx: number;
  errors: number;
  timeouts: number;
  "2xx": number;
  duration: number;
};
type Request = { method?: string; path?: string; headers?: Record<string, string>; body?: string };
type Options = {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  overallRate?: number;
  requests?: { setupRequest?: (req: Request) => Request }[];
};
type Autocannon = (opts: Options) => Promise<Result>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

type Served = { url: string; couchUrl: string; db: string; portal: { name: string; password: string } };
type SinkStats = { count: number; unique: number };

const SUBMISSION = JSON.stringify({
  demarche: "demande_generale",
  fields: {
    message: "Bonjour, je souhaite connaître les horaires d'ouverture de la mairie le samedi matin.",
  },
  citizen: {
    firstName: "Camille",
    lastName: "Martin",
    email: "camille.martin@example.org",
    phone: "06 12 34 56 78",
    address: { line: "12 rue des Lilas", postcode: "75011", city: "Paris" },
  },
});
/** Documents per `_bulk_docs` of the grouped floor. */
const BULK = 20;

if (process.argv[2] === "--serve") {
  await serve(process.argv[3] ?? "", process.argv[4] ?? "");
} else if (process.argv[2] === "--sink") {
  await sinkProcess();
} else {
  await main();
}

/** Child process: the embedded server, alone on its thread. */
async function serve(dataDir: string, smtpUrl: string): Promise<void> {
  const { startGuichetServer } = await import("../sync-server/server");
  const { readSecrets } = await import("../sync-server/couch/secrets");
  const { loadConfig } = await import("../sync-server/config");
  // COUCHDB_URL: an Apache CouchDB (one node or a cluster) instead of the embedded server, with a
  // commune of its own per server so that runs and the two servers never share a database.
  const external = process.env.COUCHDB_URL?.trim();
  const commune = external ? `bench-${path.basename(dataDir).slice(-6).toLowerCase()}` : "bench";
  const server = await startGuichetServer({
    config: external
      ? { ...loadConfig({ ...process.env, GUICHET_DATA_DIR: dataDir }), corsOrigins: [], commune }
      : {
          couchdbUrl: undefined,
          adminUser: undefined,
          adminPassword: undefined,
          dataDir,
          couchPort: 0,
          corsOrigins: [],
          commune,
        },
    port: 0,
    jobs: false,
    smtpUrl,
    ...(process.env.BENCH_NO_MAIL ? { mail: { maxAgeDays: -1 } } : {}),
    limits: { submitPerMinute: null },
    log: () => undefined,
  });
  const secrets = readSecrets(dataDir);
  const served: Served = {
    url: server.url,
    couchUrl: server.couchUrl,
    db: `guichet-${commune}`,
    portal: {
      name: serviceAccountName(commune, "portal"),
      password: process.env.GUICHET_PORTAL_PASSWORD || secrets[serviceSecretKey(commune, "portal")] || "",
    },
  };
  console.log(JSON.stringify(served));
  process.on("SIGTERM", () => {
    void server.stop().then(() => process.exit(0));
  });
}

/** Child process: the SMTP relay (another machine in production), answering counts over IPC. */
async function sinkProcess(): Promise<void> {
  const { startSmtpSink } = await import("../sync-server/mail/smtp-sink");
  const sink = await startSmtpSink();
  console.log(JSON.stringify({ url: sink.url }));
  process.on("message", () => {
    const messages = sink.messages();
    const stats: SinkStats = {
      count: messages.length,
      unique: new Set(messages.map((m) => m.messageId)).size,
    };
    process.send?.(stats);
  });
  process.on("SIGTERM", () => {
    void sink.stop().then(() => process.exit(0));
  });
}

type Server = Served & { child: ChildProcess; dataDir: string };

function spawnSelf(args: string[], env: NodeJS.ProcessEnv = {}, ipc = false): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", new URL(import.meta.url).pathname, ...args], {
    stdio: ipc ? ["ignore", "pipe", "inherit", "ipc"] : ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env },
  });
}

async function startServer(sinkUrl: string, mail: boolean): Promise<Server> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-bench-"));
  const child = spawnSelf(["--serve", dataDir, sinkUrl], mail ? {} : { BENCH_NO_MAIL: "1" });
  const served = await firstLine<Served>(child);
  return { ...served, child, dataDir };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill("SIGTERM");
  await new Promise((r) => child.once("exit", r));
}

/** CPU time (ms) used so far by a process, all threads: Linux's /proc, else null. */
function cpuMs(pid: number | undefined): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  // On a shared CouchDB the service accounts are shared too: both servers must give them the same
  // password, or the second bootstrap locks the first server out.
  if (process.env.COUCHDB_URL?.trim()) {
    process.env.GUICHET_PORTAL_PASSWORD ||= `bench-portal-${Date.now()}`;
    process.env.GUICHET_SERVER_PASSWORD ||= `bench-server-${Date.now()}`;
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const seconds = Number(process.env.BENCH_SECONDS ?? 8);
  const sinkChild = spawnSelf(["--sink"], {}, true);
  const { url: sinkUrl } = await firstLine<{ url: string }>(sinkChild);
  const sinkStats = () =>
    new Promise<SinkStats>((resolve) => {
      sinkChild.once("message", (m) => resolve(m as SinkStats));
      sinkChild.send("stats");
    });
  // Two servers: the real one (accusés sent while submissions arrive), and one with the mail job
  // idle, on which the intake alone and the floors are measured.
  const withMail = await startServer(sinkUrl, true);
  const quiet = await startServer(sinkUrl, false);
  try {
    const json = { "content-type": "application/json" };
    // The portal account's session, as the server's own client holds it (renewed before each run).
    const cookies = new Map<Server, string>();
    const logIn = async (s: Server) => {
      const res = await fetch(`${s.couchUrl}/_session`, {
        method: "POST",
        headers: json,
        body: JSON.stringify({ name: s.portal.name, password: s.portal.password }),
      });
      await res.text();
      const cookie = res.headers.get("set-cookie")?.split(";")[0];
      if (!res.ok || !cookie) throw new Error(`session refusée (${res.status})`);
      cookies.set(s, cookie);
    };
    const couchHeaders = (s: Server) => ({ ...json, cookie: cookies.get(s) ?? "" });
    const countDocs = async (s: Server) =>
      (
        (await (await fetch(`${s.couchUrl}/${s.db}`, { headers: couchHeaders(s) })).json()) as {
          doc_count: number;
        }
      ).doc_count;

    // A stored request of the same size, for the CouchDB floors (tracking numbers of a code of its own).
    const d = findDemarche(DEFAULT_CATALOGUE, "demande_generale");
    if (!d) throw new Error("démarche absente");
    const parsed = JSON.parse(SUBMISSION) as Record<string, unknown>;
    const built = newRequest(
      { ...parsed, channel: "en_ligne", subject: d.label, attachments: [] },
      {
        commune: "bench",
        tracking: makeTrackingNumber("B3N", 1),
        demarche: d,
        policy: DEMO_COMMUNE.policy,
        by: serviceAccountName("bench", "portal"),
        workstation: "W3B",
        now: new Date().toISOString(),
      },
    );
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    let seq = 0;
    const storedDoc = () => {
      const id = makeTrackingNumber("B3N", ++seq);
      return { ...built.request, _id: id, id, tracking: id };
    };
    const rawPut = (): Request => {
      const doc = storedDoc();
      return {
        method: "PUT",
        path: `/${quiet.db}/${doc._id}`,
        headers: couchHeaders(quiet),
        body: JSON.stringify(doc),
      };
    };
    const bulkPut = (): Request => ({
      method: "POST",
      path: `/${quiet.db}/_bulk_docs`,
      headers: couchHeaders(quiet),
      body: JSON.stringify({ docs: Array.from({ length: BULK }, storedDoc) }),
    });

    const targets = {
      mail: {
        label: "dépôt `POST /api/v1/requests`, serveur complet (accusés envoyés)",
        server: withMail,
        docsPerRequest: 1,
        url: `${withMail.url}/api/v1/requests`,
        method: "POST",
        headers: json,
        body: SUBMISSION,
      },
      intake: {
        label: "dépôt `POST /api/v1/requests`, tâche des accusés au repos",
        server: quiet,
        docsPerRequest: 1,
        url: `${quiet.url}/api/v1/requests`,
        method: "POST",
        headers: json,
        body: SUBMISSION,
      },
      trivial: {
        label: "plancher HTTP : `GET /api/v1/health` (même pile HTTP)",
        server: quiet,
        docsPerRequest: 1,
        url: `${quiet.url}/api/v1/health`,
      },
      put: {
        label: "plancher CouchDB : `PUT` du même document, un par requête",
        server: quiet,
        docsPerRequest: 1,
        url: quiet.couchUrl,
        requests: [{ setupRequest: rawPut }],
      },
      bulk: {
        label: `plancher CouchDB groupé : \`_bulk_docs\` de ${BULK} documents (débit en documents/s)`,
        server: quiet,
        docsPerRequest: BULK,
        url: quiet.couchUrl,
        requests: [{ setupRequest: bulkPut }],
      },
    } satisfies Record<
      string,
      Omit<Options, "connections" | "duration"> & { label: string; server: Server; docsPerRequest: number }
    >;
    type Key = keyof typeof targets;
    const keys = Object.keys(targets) as Key[];
    // The grouped floor has no counterpart at 50 requests/s (one request carries 20 documents).
    const fixedKeys: Key[] = keys.filter((k) => k !== "bulk");
    type Fixed = Result & { mailsDuring?: number; mailsOwed?: number; lagMs?: number };
    const results = Object.fromEntries(keys.map((k) => [k, { max: [] as Result[], fixed: [] as Fixed[] }]));
    const catchUps: { key: Key; ms: number; mails: number }[] = [];

    /**
     * Waits until a server has caught up: its process used under 3 % of a core over the last
     * second, and (the full server) the relay received nothing new meanwhile. Returns how long it took.
     */
    const settle = async (s: Server): Promise<number> => {
      const start = Date.now();
      let cpu = cpuMs(s.child.pid);
      let mails = (await sinkStats()).count;
      for (;;) {
        await sleep(1_000);
        const nextCpu = cpuMs(s.child.pid);
        const nextMails = (await sinkStats()).count;
        const idle = cpu === null || nextCpu === null ? nextMails === mails : nextCpu - cpu <= 30;
        if (idle && nextMails === mails) return Date.now() - start - 1_000;
        if (Date.now() - start > 600_000) throw new Error("le serveur ne revient pas au repos");
        cpu = nextCpu;
        mails = nextMails;
      }
    };

    const run = async (key: Key, mode: "max" | "fixed") => {
      const { label: _l, server, docsPerRequest: _d, ...t } = targets[key];
      await settle(server);
      await logIn(server);
      const mailsBefore = (await sinkStats()).count;
      const r: Fixed = await autocannon({
        ...t,
        connections: mode === "max" ? 50 : 10,
        duration: seconds,
        ...(mode === "fixed" ? { overallRate: 50 } : {}),
      });
      const mailsAtEnd = (await sinkStats()).count;
      const ms = await settle(server);
      let note = "";
      if (mode === "max") {
        catchUps.push({ key, ms, mails: (await sinkStats()).count - mailsBefore });
        note = `, rattrapage ${(ms / 1000).toFixed(1)} s`;
      } else if (key === "mail") {
        // Kept up: the accusés of the requests of this run went out during it, or just after.
        r.mailsDuring = mailsAtEnd - mailsBefore;
        r.mailsOwed = 2 * r["2xx"];
        r.lagMs = ms;
        note = `, accusés ${r.mailsDuring}/${r.mailsOwed} pendant la mesure, le reste en ${(ms / 1000).toFixed(1)} s`;
      }
      results[key]?.[mode].push(r);
      console.log(
        `  ${key.padEnd(7)} ${mode.padEnd(5)} ${Math.round(r.requests.average)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, erreurs ${r.errors}${note}`,
      );
    };

    const loadBefore = loadavg()[0] ?? 0;
    console.log(
      `Serveurs : ${withMail.url} (avec accusés), ${quiet.url} (sans) ; ${rounds} tours de ${seconds} s par mesure ; charge ${loadBefore.toFixed(1)}`,
    );
    // Warm-up: JIT, LevelDB, connection pools.
    for (const s of [withMail, quiet]) {
      await autocannon({
        url: `${s.url}/api/v1/requests`,
        method: "POST",
        headers: json,
        body: SUBMISSION,
        connections: 20,
        duration: 3,
      });
    }
    // Rounds alternate the targets, so a neighbour's load on this shared machine hits all of them.
    let stored = 0;
    let answered = 0;
    for (let round = 1; round <= rounds; round++) {
      console.log(`tour ${round}`);
      for (const key of fixedKeys) await run(key, "fixed");
      for (const key of keys) {
        const before = key === "intake" ? await countDocs(quiet) : 0;
        await run(key, "max");
        if (key === "intake") {
          // Requests still in flight when a run ends are stored but not counted as answered.
          stored += (await countDocs(quiet)) - before;
          answered += results.intake?.max.at(-1)?.["2xx"] ?? 0;
        }
      }
    }
    const loadAfter = loadavg()[0] ?? 0;
    const mailStats = await sinkStats();
    const mailAnswered = [...(results.mail?.max ?? []), ...(results.mail?.fixed ?? [])].reduce(
      (n, r) => n + r["2xx"],
      0,
    );

    const of = (k: Key) => results[k] ?? { max: [], fixed: [] };
    const rps = (k: Key) =>
      Math.round(median(of(k).max.map((r) => r.requests.average)) * targets[k].docsPerRequest);
    const p99 = (k: Key) => median(of(k).fixed.map((r) => r.latency.p99));
    const p50 = (k: Key) => median(of(k).fixed.map((r) => r.latency.p50));
    const errors = (k: Key) =>
      [...of(k).max, ...of(k).fixed].reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "—");
    const pass = (cond: boolean) => (cond ? "atteint" : "**non atteint**");
    const s1 = (ms: number) => (ms / 1000).toFixed(1).replace(".", ",");
    const catchUp = (k: Key) => median(catchUps.filter((c) => c.key === k).map((c) => c.ms));
    const mailFixed = of("mail").fixed as Fixed[];
    const keptUp = median(mailFixed.map((r) => (r.mailsDuring ?? 0) / Math.max(1, r.mailsOwed ?? 1)));
    const lag = median(mailFixed.map((r) => r.lagMs ?? 0));
    const sustained = Math.round(
      median(
        of("mail").max.map((r, i) => {
          const ms = catchUps.filter((c) => c.key === "mail")[i]?.ms ?? 0;
          return r["2xx"] / (seconds + ms / 1000);
        }),
      ),
    );
    const cell = (k: Key, v: number) => (fixedKeys.includes(k) ? String(v) : "—");
    const lines = [
      "### Portail : dépôt d'une demande en ligne (API JSON → demande validée, numérotée, enregistrée)",
      "",
      `${machineLine()} — serveurs et relais SMTP simulé dans des processus à part, autocannon seul dans celui de la mesure ; CouchDB : ${process.env.BENCH_COUCH_LABEL ?? "PouchDB Server embarqué (LevelDB) dans le processus du serveur"}. Médianes de ${rounds} tours alternés de ${seconds} s ; débit max avec 50 connexions, latences à 50 req/s constants (10 connexions). Chaque mesure commence sur un serveur revenu au repos (processus sous 3 % d'un cœur pendant 1 s, plus aucun accusé en route). Machine partagée : charge moyenne ${loadBefore.toFixed(1)} au début, ${loadAfter.toFixed(1)} à la fin (2 cœurs).`,
      "",
      "| mesure | débit max (req/s) | p50 à 50 req/s (ms) | p99 à 50 req/s (ms) | erreurs |",
      "| --- | ---: | ---: | ---: | ---: |",
      ...keys.map(
        (k) => `| ${targets[k].label} | ${rps(k)} | ${cell(k, p50(k))} | ${cell(k, p99(k))} | ${errors(k)} |`,
      ),
      "",
      `- Objectifs (serveur complet, accusés compris) : débit ≥ 300 req/s : ${pass(rps("mail") >= 300)} (${rps("mail")}) ; p99 ≤ 100 ms à 50 req/s : ${pass(p99("mail") <= 100)} (${p99("mail")} ms). Dépôt seul : ${rps("intake")} req/s, p99 ${p99("intake")} ms.`,
      `- Rapports aux planchers du même tour — débit : ${ratio(rps("mail"), rps("put"))} (serveur complet) et ${ratio(rps("intake"), rps("put"))} (dépôt seul) du \`PUT\` un par un, ${ratio(rps("mail"), rps("bulk"))} et ${ratio(rps("intake"), rps("bulk"))} du \`_bulk_docs\` groupé, ${ratio(rps("intake"), rps("trivial"))} du plancher HTTP ; p99 à 50 req/s : ${ratio(p99("mail"), p99("put"))} (serveur complet) et ${ratio(p99("intake"), p99("put"))} (dépôt seul) du \`PUT\`, ${ratio(p99("mail"), p99("trivial"))} du plancher HTTP.`,
      `- Rattrapage après ${seconds} s de débit max (médiane) : ${s1(catchUp("mail"))} s pour le serveur complet (accusés de toutes les demandes envoyés), ${s1(catchUp("intake"))} s pour le dépôt seul. Aucune mesure ne commence avant. Débit soutenable par le serveur complet, accusés compris (demandes ÷ (durée + rattrapage)) : ${sustained} req/s. Pendant une rafale, la tâche des accusés laisse la priorité aux citoyens qui attendent leur réponse (deux demandes à la fois tant que le dépôt a du travail en attente).`,
      `- À 50 req/s, serveur complet : ${Math.round(keptUp * 100)} % des accusés partis pendant la mesure elle-même, les derniers ${s1(lag)} s après sa fin (médianes) : ${keptUp >= 0.9 && lag <= 2_000 ? "la tâche des accusés suit le rythme" : "**la tâche des accusés ne suit pas encore ce rythme** (elle coûte plus que le dépôt lui-même : deux messages SMTP, six écritures de suivi et une mise à jour de la demande par demande en ligne)"}.`,
      "- Les dépôts simultanés partent groupés dans un même `_bulk_docs` (jusqu'à 4 lots en vol) et les numéros de suivi sont réservés par blocs de 50 : le dépôt peut donc dépasser le `PUT` document par document, pas le `_bulk_docs` groupé. Les planchers CouchDB s'authentifient par cookie de session comme le serveur (en Basic, chaque requête paierait le hachage du mot de passe).",
      `- Contrôle : ${stored} demandes enregistrées pendant les mesures de débit du dépôt seul pour ${answered} réponses 201 (l'écart : requêtes encore en vol à la fin de chaque mesure) ; serveur complet : ${mailStats.count} accusés reçus par le relais (${mailStats.unique} distincts) pour ${mailAnswered} réponses 201 mesurées (+ l'échauffement), chacune en devant 2.`,
    ];
    const md = `${lines.join("\n")}\n`;
    mkdirSync(path.resolve("docs/bench"), { recursive: true });
    writeFileSync(path.resolve(process.env.BENCH_OUT ?? "docs/bench/portal.md"), md);
    console.log(`\n${md}`);
    if (stored < answered || stored > answered + 50 * rounds) {
      throw new Error(`${answered} réponses 201 mais ${stored} demandes enregistrées`);
    }
    if (mailStats.unique !== mailStats.count || mailStats.count < 2 * mailAnswered) {
      throw new Error(
        `accusés : ${mailStats.count} reçus, ${mailStats.unique} distincts, ${2 * mailAnswered} dus au moins`,
      );
    }
  } finally {
    await stop(withMail.child);
    await stop(quiet.child);
    await stop(sinkChild);
    rmSync(withMail.dataDir, { recursive: true, force: true });
    rmSync(quiet.dataDir, { recursive: true, force: true });
  }
}

function firstLine<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error("pas de sortie"));
    const rl = createInterface({ input: child.stdout });
    rl.once("line", (line) => resolve(JSON.parse(line) as T));
    child.once("exit", (code) => reject(new Error(`processus arrêté (${code})`)));
  });
}
