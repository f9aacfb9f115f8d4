/**
 * Intake benchmark (`npx tsx bench/portal.ts`): online submissions through the JSON API against
 * the embedded server (validated → tracking number → stored), with autocannon.
 * - maximum throughput (50 connections) and p99 latency at a fixed 50 requests/s;
 * - the physical floors of the same run: a trivial endpoint of the same HTTP stack
 *   (GET /api/v1/health) and a raw CouchDB PUT of the same document as the portal account.
 * The server runs in a child process so that the load generator does not share its thread.
 * The table goes to docs/bench/portal.md.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { findDemarche } from "../domain/catalogue";
import { DEMO_COMMUNE } from "../domain/commune";
import { DEFAULT_CATALOGUE } from "../domain/default-catalogue";
import { newRequest } from "../domain/new-request";
import { makeTrackingNumber } from "../domain/tracking-number";
import { startSmtpSink } from "../sync-server/mail/smtp-sink";
import { machineLine } from "./machine";

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

if (process.argv[2] === "--serve") {
  await serve(process.argv[3] ?? "", process.argv[4] ?? "");
} else {
  await main();
}

/** Child process: the embedded server, alone on its thread. */
async function serve(dataDir: string, smtpUrl: string): Promise<void> {
  const { startGuichetServer } = await import("../sync-server/server");
  const { readSecrets } = await import("../sync-server/secrets");
  const server = await startGuichetServer({
    config: {
      couchdbUrl: undefined,
      adminUser: undefined,
      adminPassword: undefined,
      dataDir,
      couchPort: 0,
      corsOrigins: [],
      commune: "bench",
    },
    port: 0,
    jobs: false,
    smtpUrl,
    limits: { submitPerMinute: null },
    log: () => undefined,
  });
  const secrets = readSecrets(dataDir);
  const served: Served = {
    url: server.url,
    couchUrl: server.couchUrl,
    db: "guichet-bench",
    portal: { name: "portal", password: secrets.portalPassword ?? "" },
  };
  console.log(JSON.stringify(served));
  process.on("SIGTERM", () => {
    void server.stop().then(() => process.exit(0));
  });
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-bench-"));
  // The mail relay is another machine in production: here, a sink in this process, not the server's.
  const sink = await startSmtpSink();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", new URL(import.meta.url).pathname, "--serve", dataDir, sink.url],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  try {
    const served = await firstLine(child);
    const auth = `Basic ${Buffer.from(`${served.portal.name}:${served.portal.password}`).toString("base64")}`;
    const json = { "content-type": "application/json" };
    const countDocs = async () =>
      (
        (await (
          await fetch(`${served.couchUrl}/${served.db}`, { headers: { authorization: auth } })
        ).json()) as { doc_count: number }
      ).doc_count;

    // A stored request of the same size, for the raw PUT floor (tracking numbers of a code of its own).
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
        by: "portal",
        workstation: "W3B",
        now: new Date().toISOString(),
      },
    );
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    let seq = 0;
    const rawPut = (): Request => {
      const id = makeTrackingNumber("B3N", ++seq);
      return {
        method: "PUT",
        path: `/${served.db}/${id}`,
        headers: { ...json, authorization: auth },
        body: JSON.stringify({ ...built.request, _id: id, id, tracking: id }),
      };
    };

    const run = (
      label: string,
      o: Omit<Options, "connections" | "duration"> & { connections?: number; duration?: number },
    ) => {
      process.stdout.write(`  ${label}… `);
      return autocannon({ connections: 50, duration: 10, ...o }).then((r) => {
        console.log(`${Math.round(r.requests.average)} req/s, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}`);
        return r;
      });
    };

    console.log(`Serveur : ${served.url} (CouchDB embarqué ${served.couchUrl})`);
    // Warm-up: JIT, LevelDB, connection pools.
    await run("échauffement", {
      url: `${served.url}/api/v1/requests`,
      method: "POST",
      headers: json,
      body: SUBMISSION,
      duration: 3,
    });

    const before = await countDocs();
    const intakeMax = await run("dépôt, débit maximal", {
      url: `${served.url}/api/v1/requests`,
      method: "POST",
      headers: json,
      body: SUBMISSION,
    });
    // Requests still in flight when the run ends are stored but not counted as answered.
    await new Promise((r) => setTimeout(r, 2_000));
    const stored = (await countDocs()) - before;
    const intake50 = await run("dépôt, 50 req/s", {
      url: `${served.url}/api/v1/requests`,
      method: "POST",
      headers: json,
      body: SUBMISSION,
      connections: 10,
      duration: 20,
      overallRate: 50,
    });
    const trivialMax = await run("plancher HTTP (GET /api/v1/health)", {
      url: `${served.url}/api/v1/health`,
    });
    const trivial50 = await run("plancher HTTP, 50 req/s", {
      url: `${served.url}/api/v1/health`,
      connections: 10,
      duration: 20,
      overallRate: 50,
    });
    const putMax = await run("plancher CouchDB (PUT brut)", {
      url: served.couchUrl,
      requests: [{ setupRequest: rawPut }],
    });
    const put50 = await run("plancher CouchDB, 50 req/s", {
      url: served.couchUrl,
      requests: [{ setupRequest: rawPut }],
      connections: 10,
      duration: 20,
      overallRate: 50,
    });

    const ok = (r: Result) => r["2xx"];
    const rps = (r: Result) => Math.round(r.requests.average);
    const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : "—");
    const pass = (cond: boolean) => (cond ? "atteint" : "**non atteint**");
    const lines = [
      "### Portail : dépôt d'une demande en ligne (API JSON → demande validée et enregistrée)",
      "",
      `${machineLine()} — serveur dans un processus à part, autocannon dans celui de la mesure ; CouchDB : PouchDB Server embarqué (LevelDB) ; envoi des accusés actif (relais SMTP simulé dans le processus de mesure).`,
      "",
      "| mesure | débit max (req/s) | p99 à 50 req/s (ms) | p50 à 50 req/s (ms) | réponses 2xx (max) | erreurs |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      `| dépôt \`POST /api/v1/requests\` | ${rps(intakeMax)} | ${intake50.latency.p99} | ${intake50.latency.p50} | ${ok(intakeMax)} | ${intakeMax.non2xx + intakeMax.errors + intake50.non2xx + intake50.errors} |`,
      `| plancher : \`GET /api/v1/health\` (même pile HTTP) | ${rps(trivialMax)} | ${trivial50.latency.p99} | ${trivial50.latency.p50} | ${ok(trivialMax)} | ${trivialMax.non2xx + trivialMax.errors} |`,
      `| plancher : \`PUT\` brut du même document dans CouchDB | ${rps(putMax)} | ${put50.latency.p99} | ${put50.latency.p50} | ${ok(putMax)} | ${putMax.non2xx + putMax.errors + put50.non2xx + put50.errors} |`,
      "",
      `- Objectifs : débit ≥ 300 req/s : ${pass(rps(intakeMax) >= 300)} (${rps(intakeMax)}) ; p99 ≤ 100 ms à 50 req/s : ${pass(intake50.latency.p99 <= 100)} (${intake50.latency.p99} ms).`,
      `- Rapports : dépôt / PUT brut = ${ratio(rps(intakeMax), rps(putMax))} du débit ; dépôt / plancher HTTP = ${ratio(rps(intakeMax), rps(trivialMax))}. Les dépôts simultanés partent groupés dans un seul \`_bulk_docs\`, d'où un débit supérieur au PUT un par un.`,
      `- Contrôle : ${stored} demandes enregistrées pendant la mesure du débit pour ${ok(intakeMax)} réponses 201 (l'écart : requêtes encore en vol à la fin de la mesure).`,
      `- Accusés reçus par le relais SMTP pendant tout le tour : ${sink.messages().length}.`,
    ];
    const md = `${lines.join("\n")}\n`;
    mkdirSync(path.resolve("docs/bench"), { recursive: true });
    writeFileSync(path.resolve("docs/bench/portal.md"), md);
    console.log(`\n${md}`);
    if (stored < ok(intakeMax) || stored > ok(intakeMax) + 50) {
      throw new Error(`${ok(intakeMax)} réponses 201 mais ${stored} demandes enregistrées`);
    }
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await sink.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function firstLine(child: ChildProcess): Promise<Served> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error("pas de sortie"));
    const rl = createInterface({ input: child.stdout });
    rl.once("line", (line) => resolve(JSON.parse(line) as Served));
    child.once("exit", (code) => reject(new Error(`serveur arrêté (${code})`)));
  });
}
