/**
 * `npm run bench:vdu`: what the request databases' validate_doc_update costs the server. The same
 * N requests go by `_bulk_docs` (lots of BENCH_PUSH_BATCH, one after the other, as an agent) into
 * the commune's main database (generated function), into a database with the same `_security` and
 * no function, into one whose function does nothing (what the server pays to call any JavaScript
 * per document), and into one running the same rules with the schema interpreted for every
 * document (the function before the compiled checkers), in turn, BENCH_VDU_ROUNDS times.
 * With BENCH_COUCHDB_DIR (the data directory of ../shared/couchdb/start), also the CPU time that
 * CouchDB's Erlang VM and its couchjs processes spent per document, which the load of a shared
 * machine hardly moves. Writes docs/bench/vdu[-couchdb].md (or BENCH_OUT).
 */
import { writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { deleteCommune } from "../sync-server/communes/delete-commune";
import { bootstrap } from "../sync-server/couch/bootstrap";
import { ensureDatabase, ensureSecurity } from "../sync-server/couch/couch-docs";
import { randomPassword } from "../sync-server/couch/secrets";
import { securityObject } from "../sync-server/couch/security";
import { addUser } from "../sync-server/couch/users";
import { requestValidateDocUpdate } from "../sync-server/couch/validate-doc-update";
import { startTestCouch } from "../tests/integration/support/test-couch";
import { type CouchCpu, couchCpu, localCouchPid } from "./couch-cpu";
import { machineLine, median } from "./machine";
import { benchRequests } from "./sync-docs";
import { interpretedVariant } from "./vdu-interpreted";

const N = Number(process.env.BENCH_SYNC_DOCS ?? 5000);
const ROUNDS = Number(process.env.BENCH_VDU_ROUNDS ?? 3);
const BATCH = Number(process.env.BENCH_PUSH_BATCH ?? 250);

const VARIANTS = ["sans", "vide", "généré", "interprété"] as const;
type Variant = (typeof VARIANTS)[number];
const EMPTY_VDU = "function (newDoc, oldDoc, userCtx, secObj) {}";

let current: Awaited<ReturnType<typeof startTestCouch>> | undefined;

async function main() {
  const couch = await startTestCouch();
  current = couch;
  const load0 = loadLine();
  const times: Record<Variant, number[]> = { sans: [], vide: [], généré: [], interprété: [] };
  const pid = couch.kind === "couchdb" ? localCouchPid() : null;
  const cpu: Record<Variant, CouchCpu[]> = { sans: [], vide: [], généré: [], interprété: [] };
  for (let round = 0; round < ROUNDS; round++) {
    const commune = `vdu-${Date.now().toString(36)}-${round}`;
    await bootstrap(couch.couch, commune);
    const user = { name: `bench-agent.${commune}`, password: randomPassword() };
    await addUser(couch.couch, { ...user, roles: ["agent"], services: [], commune });
    const auth = `Basic ${Buffer.from(`${user.name}:${user.password}`).toString("base64")}`;
    const generated = requestValidateDocUpdate({ commune, service: null, sensitiveServices: [] });
    const interpreted = interpretedVariant(generated);
    const dbs: Record<Variant, string> = {
      sans: await plainDatabase(`guichet-${commune}-plain`, commune),
      vide: await plainDatabase(`guichet-${commune}-empty`, commune, EMPTY_VDU),
      généré: `guichet-${commune}`,
      interprété: await plainDatabase(`guichet-${commune}-interpreted`, commune, interpreted),
    };
    // Rotate the order so no variant always runs on a warmer server.
    for (let i = 0; i < VARIANTS.length; i++) {
      const variant = VARIANTS[(i + round) % VARIANTS.length]!;
      const docs = benchRequests(N, commune, user.name, "V8R");
      const before = pid === null ? null : couchCpu(pid);
      const ms = await bulkWrite(`${couch.url}/${dbs[variant]}`, auth, docs);
      times[variant].push(ms);
      if (pid !== null && before !== null) {
        const after = couchCpu(pid);
        cpu[variant].push({
          erlangMs: after.erlangMs - before.erlangMs,
          javascriptMs: after.javascriptMs - before.javascriptMs,
        });
      }
      console.log(`${variant}: ${ms.toFixed(0)} ms`);
    }
    for (const db of [dbs.sans, dbs.vide, dbs.interprété]) await couch.admin.db.destroy(db);
    if (couch.kind === "couchdb") await deleteCommune(couch.couch, commune);
  }
  const load1 = loadLine();
  await couch.stop();

  const none = median(times.sans);
  const empty = median(times.vide);
  const generated = median(times.généré);
  const interpretedMs = median(times.interprété);
  // Differences per round, then their median: a burst of load on this shared machine hits a round alike.
  const added = (v: Variant, of: Variant) =>
    (median(times[v].map((t, i) => t - (times[of][i] ?? Number.NaN))) / N).toFixed(3);
  const perDoc = (ms: number) => (ms / N).toFixed(3);
  const server =
    process.env.BENCH_COUCH_LABEL ??
    (couch.kind === "couchdb" ? "Apache CouchDB 3 (COUCHDB_URL)" : "PouchDB Server embarqué");
  const md = [
    `### validate_doc_update des demandes (${N} demandes, médiane de ${ROUNDS} tours)`,
    "",
    `${machineLine()} — serveur : ${server} ; charge moyenne ${load0} au début, ${load1} à la fin. \`_bulk_docs\` par lots de ${BATCH}, l'un après l'autre, avec le compte d'un agent ; mêmes documents, même \`_security\`, ordre tournant.`,
    "",
    "| base | durée (ms) | par document (ms) | ajouté par document, médiane des écarts de chaque tour (ms) |",
    "| --- | ---: | ---: | ---: |",
    `| sans validate_doc_update : plancher | ${none.toFixed(0)} | ${perDoc(none)} | — |`,
    `| fonction vide : appel du moteur JavaScript seul | ${empty.toFixed(0)} | ${perDoc(empty)} | ${added("vide", "sans")} |`,
    `| validate_doc_update généré | ${generated.toFixed(0)} | ${perDoc(generated)} | **${added("généré", "sans")}** (nos règles, au-delà de la fonction vide : ${added("généré", "vide")}) |`,
    `| mêmes règles, schéma interprété à chaque document (comme avant) | ${interpretedMs.toFixed(0)} | ${perDoc(interpretedMs)} | ${added("interprété", "sans")} (au-delà de la fonction vide : ${added("interprété", "vide")}) |`,
    "",
    ...cpuTable(cpu),
    `Tours (ms) : ${VARIANTS.map((v) => `${v} ${times[v].map((t) => t.toFixed(0)).join(", ")}`).join(" ; ")}. Objectif : la validation ajoute au plus 0,3 ms par document.`,
    "",
  ].join("\n");
  const out = process.env.BENCH_OUT ?? `docs/bench/vdu${couch.kind === "couchdb" ? "-couchdb" : ""}.md`;
  writeFileSync(path.resolve(out), md);
  console.log(md);
}

/** Median CPU per document of each variant, when the server's processes could be read. */
function cpuTable(cpu: Record<Variant, CouchCpu[]>): string[] {
  if (cpu.sans.length === 0) return [];
  const per = (v: Variant, k: keyof CouchCpu) => median(cpu[v].map((c) => c[k])) / N;
  const row = (label: string, v: Variant) =>
    `| ${label} | ${per(v, "erlangMs").toFixed(3)} | ${per(v, "javascriptMs").toFixed(3)} | ${(per(v, "javascriptMs") - per("vide", "javascriptMs")).toFixed(3)} |`;
  return [
    "Temps processeur par document (médiane des tours), lu dans /proc : peu sensible à la charge des autres travaux de la machine.",
    "",
    "| base | CouchDB (Erlang) ms | couchjs (QuickJS) ms | couchjs au-delà de la fonction vide ms |",
    "| --- | ---: | ---: | ---: |",
    row("sans validate_doc_update", "sans"),
    row("fonction vide", "vide"),
    row("validate_doc_update généré", "généré"),
    row("mêmes règles, schéma interprété (comme avant)", "interprété"),
    "",
  ];
}

/** A database with the commune's `_security` and, when given, this validate_doc_update. */
async function plainDatabase(name: string, commune: string, vdu?: string): Promise<string> {
  const couch = current!.couch;
  await ensureDatabase(couch.admin, name);
  await ensureSecurity(couch.admin, name, securityObject(commune));
  if (vdu)
    await couch.admin
      .db(name)
      .put({ _id: "_design/guichet", language: "javascript", validate_doc_update: vdu });
  return name;
}

async function bulkWrite(dbUrl: string, authorization: string, docs: { id: string }[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += BATCH) {
    const res = await fetch(`${dbUrl}/_bulk_docs`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: authorization },
      body: JSON.stringify({ docs: docs.slice(i, i + BATCH).map((d) => ({ ...d, _id: d.id })) }),
    });
    const rows = (await res.json()) as { ok?: boolean; error?: string; reason?: string }[];
    const bad = Array.isArray(rows) ? rows.find((r) => !r.ok) : rows;
    if (bad) throw new Error(`écriture refusée : ${JSON.stringify(bad)}`);
  }
  return performance.now() - t0;
}

function loadLine(): string {
  return loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
