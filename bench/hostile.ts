/**
 * `npm run bench:hostile`: the hostile-input property tests at length — 10,000 fast-check cases
 * per door (JSON API, HTML forms, Open311, direct database writes with an agent's credentials;
 * GUICHET_FUZZ_RUNS, GUICHET_FUZZ_SEED) against one real server. Must hold: no 5xx, every call
 * answered, no invalid document stored, no mail header written by a citizen, nothing logged as
 * an error by the server. Writes docs/bench/hostile.md; exits 1 when something did not hold.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { DEEP_DOC_LEVELS, TARGETS } from "../tests/integration/support/hostile-cases";
import {
  injectedMails,
  invalidDocuments,
  mailsSettled,
  runTarget,
  startHostileEnv,
  storedRequests,
  type Tally,
} from "../tests/integration/support/hostile-run";
import { machineLine } from "./machine";

const RUNS = Number(process.env.GUICHET_FUZZ_RUNS ?? 10_000);
const SEED = Number(process.env.GUICHET_FUZZ_SEED ?? 20_261_123);
const OUT = path.resolve("docs/bench/hostile.md");

const DOORS: Record<string, string> = {
  api: "API JSON (/api/v1)",
  form: "formulaires HTML du portail",
  open311: "Open311 GeoReport v2",
  direct: "écritures directes en base (identifiants d'agent)",
};
const n = (x: number) => x.toLocaleString("fr-FR");

/**
 * The server runs in this process: name the CouchDB call behind any failure it logs (undici's
 * errors say "terminated" and nothing of the request).
 */
function nameFailedFetches(): void {
  const plain = globalThis.fetch;
  const named = (e: unknown, what: string) => {
    if (e instanceof Error) e.message += ` (${what})`;
    return e;
  };
  globalThis.fetch = async (input, init) => {
    const what = `${init?.method ?? "GET"} ${String(input).replace(/\/\/[^@/]*@/, "//")}`;
    const res = await plain(input, init).catch((e) => {
      throw named(e, what);
    });
    const text = res.text.bind(res);
    res.text = () =>
      text().catch((e) => {
        throw named(e, what);
      });
    return res;
  };
}

async function main(): Promise<void> {
  nameFailedFetches();
  const machine = machineLine();
  const started = Date.now();
  const env = await startHostileEnv();
  const tallies: Tally[] = [];
  let ok = true;
  try {
    for (const target of TARGETS) {
      const t = await runTarget(env, target, RUNS, SEED);
      tallies.push(t);
      console.log(
        `[hostile] ${target}: ${JSON.stringify(t.classes)} en ${Math.round(t.durationMs / 1000)} s`,
      );
      for (const f of t.failures) console.error(`  ${f}`);
    }
    const docs = await storedRequests(env);
    const invalid = invalidDocuments(docs);
    const mails = await mailsSettled(env);
    const emails = new Set(
      docs.map((d) => String((d.citizen as { email?: string } | undefined)?.email ?? "").toLowerCase()),
    );
    const injected = injectedMails(mails, emails);
    const fiveXX = tallies.reduce((s, t) => s + (t.classes["5xx"] ?? 0), 0);
    const unanswered = tallies.reduce((s, t) => s + (t.classes["sans réponse"] ?? 0), 0);
    for (const line of [...invalid, ...injected]) console.error(`  ${line.slice(0, 500)}`);
    for (const t of tallies) for (const line of t.serverLogs) console.error(`  [${t.target}] ${line}`);
    for (const line of env.logs.slice(tallies.reduce((n, t) => n + t.serverLogs.length, 0)))
      console.error(`  [après] ${line}`);
    ok =
      fiveXX === 0 &&
      unanswered === 0 &&
      invalid.length === 0 &&
      injected.length === 0 &&
      env.logs.length === 0 &&
      tallies.every((t) => t.cases === RUNS);

    const row = (t: Tally) =>
      `| ${DOORS[t.target]} | ${n(t.cases)} | ${n(t.classes["2xx"] ?? 0)} | ${n(t.classes["3xx"] ?? 0)} | ${n(t.classes["4xx"] ?? 0)} | **${n(t.classes["5xx"] ?? 0)}** | ${n(t.classes["sans réponse"] ?? 0)} | ${Math.round(t.durationMs / 1000)} |`;
    const families = tallies.flatMap((t) =>
      Object.entries(t.labels)
        .sort(([, a], [, b]) => (b.cases ?? 0) - (a.cases ?? 0))
        .map(
          ([label, c]) =>
            `| ${t.target} | ${label} | ${n(c.cases ?? 0)} | ${n((c["2xx"] ?? 0) + (c["3xx"] ?? 0))} | ${n(c["4xx"] ?? 0)} | ${n(c["5xx"] ?? 0)} |`,
        ),
    );
    const lines = [
      `### Entrées hostiles (${n(RUNS)} cas fast-check par porte, graine ${SEED})`,
      "",
      `${machine} — serveur : ${env.tc.kind === "couchdb" ? "Apache CouchDB 3" : "PouchDB Server embarqué"}, durée totale ${Math.round((Date.now() - started) / 1000)} s.`,
      "",
      `Soumissions valides au texte hostile (RTL, marques combinantes, emoji, séparateurs de ligne, demi-paires UTF-16, balises), injection d'en-têtes de courriel (CR/LF dans le nom et l'adresse), JSON imbriqué jusqu'à 200 000 niveaux, JSON malformé, types de contenu faux ou absents, corps trop gros (annoncés ou en flux), multipart cassé, fichiers hostiles, jetons forgés ; en base, documents mutés, identifiants spéciaux, \`_attachments\` malformés, documents de 9 Mo, imbrication jusqu'à ${n(Math.max(...DEEP_DOC_LEVELS[env.tc.kind]))} niveaux${env.tc.kind === "couchdb" ? " (au-delà de 50 000, le processus QuickJS de CouchDB 3.4.3 qui exécute validate_doc_update meurt : 500 de CouchDB lui-même, rien d'enregistré)" : ""}. Générateurs : \`tests/integration/support/hostile-cases.ts\` (les mêmes, en moins nombreux, dans \`tests/integration/hostile-input.test.ts\`). Pour les écritures directes, un cas est un document (envoyé seul ou dans un \`_bulk_docs\` de 1 à 25) : 2xx = enregistré, 4xx = refusé.`,
      "",
      "| porte | cas | 2xx | 3xx | 4xx | 5xx | sans réponse | durée (s) |",
      "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...tallies.map(row),
      "",
      `| vérification après coup | résultat |`,
      "| --- | ---: |",
      `| demandes enregistrées (toutes portes) | ${n(docs.length)} |`,
      `| **documents invalides enregistrés** (schéma du domaine, \`requestSchema\`) | **${n(invalid.length)}** |`,
      `| courriels reçus par le puits SMTP | ${n(mails.length)} |`,
      `| **courriels avec un en-tête injecté** ou un destinataire de trop | **${n(injected.length)}** |`,
      `| erreurs journalisées par le serveur | ${n(env.logs.length)} |`,
      ...(env.logs.length > 0
        ? [
            "",
            "Erreurs journalisées :",
            "",
            ...env.logs.map((l) => `    ${l.split("\n").slice(0, 3).join(" ")}`),
          ]
        : []),
      "",
      `Résultat : ${ok ? "**tenu**" : "**ÉCHEC**"}.`,
      "",
      "<details><summary>Familles de cas</summary>",
      "",
      "| porte | famille | cas | acceptés (2xx/3xx) | refusés (4xx) | 5xx |",
      "| --- | --- | ---: | ---: | ---: | ---: |",
      ...families,
      "",
      "</details>",
      "",
    ];
    writeFileSync(OUT, lines.join("\n"));
  } finally {
    await env.stop();
  }
  process.exit(ok ? 0 : 1);
}

await main();
