/**
 * `npm run bench:link`: 1,000 requests recorded offline on workstation A converge to the server
 * and to workstation B, each behind a poor line (256 kbit/s, 300 ms RTT) made by a throttling TCP
 * proxy; beside the same with PouchDB's own replicator, and the physical limit (raw bytes of the
 * documents / bandwidth + one round trip). Writes docs/bench/link.md.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { startTestCouch } from "../tests/integration/support/test-couch";
import { openWorkstation } from "../tests/integration/support/workstation";
import { startLinkProxy } from "../tests/support/link-proxy";
import { machineLine } from "./machine";

const N = Number(process.env.BENCH_LINK_DOCS ?? 1000);
const SHAPE = { bandwidthBps: 256_000, rttMs: 300, lossRate: 0, lossStallMs: 0 };

type PouchLike = {
  bulkDocs(docs: object[]): Promise<unknown>;
  info(): Promise<{ doc_count: number }>;
  replicate: { to(t: PouchLike, o?: object): Promise<unknown> };
  destroy(): Promise<void>;
};
type PouchCtor = {
  new (name: string, opts?: object): PouchLike;
  replicate(
    src: PouchLike,
    dst: PouchLike,
    opts?: object,
  ): { on(ev: string, fn: (x: unknown) => void): unknown; cancel(): void };
};

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("timeout");
}

async function main() {
  const couch = await startTestCouch();
  const target = { host: "127.0.0.1", port: Number(new URL(couch.url).port) };
  const agentA = await couch.createUser("link-a", ["agent"]);
  const agentB = await couch.createUser("link-b", ["agent"]);
  const dbPath = `/${couch.dbName("main")}`;

  // Guichet: A records offline, then its line comes back; B is live on its own poor line.
  const linkA = await startLinkProxy({ target, shape: SHAPE });
  const linkB = await startLinkProxy({ target, shape: SHAPE });
  const a = await openWorkstation({
    code: "H2A",
    commune: couch.commune,
    dbUrl: linkA.url + dbPath,
    auth: { username: agentA.name, password: agentA.password },
  });
  a.setOnline(false);
  const docs = [];
  for (let i = 0; i < N; i++) docs.push(await a.record());
  const rawBytes = docs.reduce((s, d) => s + Buffer.byteLength(JSON.stringify(d)), 0);
  const b = await openWorkstation({
    code: "H3B",
    commune: couch.commune,
    dbUrl: linkB.url + dbPath,
    auth: { username: agentB.name, password: agentB.password },
  });
  await b.replication.awaitInSync();
  const [a0, b0] = [{ ...linkA.bytes }, { ...linkB.bytes }];
  const t0 = Date.now();
  a.setOnline(true);
  await waitFor(async () => (await b.db.requests.count().exec()) >= N, 600_000);
  const guichetMs = Date.now() - t0;
  console.log(`guichet: ${guichetMs} ms`);
  const guichetWire =
    linkA.bytes.up -
    a0.up +
    (linkA.bytes.down - a0.down) +
    (linkB.bytes.up - b0.up) +
    (linkB.bytes.down - b0.down);
  const guichetUp = linkA.bytes.up - a0.up;
  const guichetDown = linkB.bytes.down - b0.down;
  await a.destroy();
  await b.destroy();

  // PouchDB's replicator, same server, same line, same kind of documents (other ids).
  const require = createRequire(import.meta.url);
  const PouchDB = require("pouchdb-node") as PouchCtor;
  const dir = mkdtempSync(path.join(tmpdir(), "guichet-bench-link-"));
  const pouchDocs = docs.map((d) => {
    const id = `P${d.id.slice(1)}`;
    return { ...d, _id: id, id, tracking: id };
  });
  const auth = (u: { name: string; password: string }) => ({
    auth: { username: u.name, password: u.password },
  });
  const localA = new PouchDB(path.join(dir, "a"));
  await localA.bulkDocs(pouchDocs);
  const localB = new PouchDB(path.join(dir, "b"));
  const remoteB = new PouchDB(linkB.url + dbPath, auth(agentB));
  const [pa0, pb0] = [{ ...linkA.bytes }, { ...linkB.bytes }];
  console.log("pouchdb: start");
  const t1 = Date.now();
  const remoteA = new PouchDB(linkA.url + dbPath, auth(agentA));
  await localA.replicate.to(remoteA);
  console.log(`pouchdb: pushed after ${Date.now() - t1} ms`);
  // PouchDB's live pull did not finish reliably over the throttled line here: B pulls once the push is done.
  await PouchDBreplicateOnce(PouchDB, remoteB, localB);
  const pouchMs = Date.now() - t1;
  const pulled = (await localB.info()).doc_count;
  if (pulled < 2 * N) throw new Error(`PouchDB B n'a reçu que ${pulled} documents`);
  const pouchWire =
    linkA.bytes.up -
    pa0.up +
    (linkA.bytes.down - pa0.down) +
    (linkB.bytes.up - pb0.up) +
    (linkB.bytes.down - pb0.down);
  await linkA.stop();
  await linkB.stop();
  await couch.stop();

  const floorMs = (rawBytes * 8 * 1000) / SHAPE.bandwidthBps + SHAPE.rttMs;
  const kb = (n: number) => `${(n / 1024).toFixed(0)} Kio`;
  const md = [
    `### Ligne dégradée (${N} demandes saisies hors ligne, ${SHAPE.bandwidthBps / 1000} kbit/s, ${SHAPE.rttMs} ms d'aller-retour)`,
    "",
    `${machineLine()} — serveur : ${couch.kind === "couchdb" ? "Apache CouchDB 3" : "PouchDB Server embarqué"}. Temps : du retour de la ligne du poste A jusqu'à ce que le poste B ait les ${N} demandes.`,
    "",
    "| réplication | temps (s) | / limite physique | octets sur les deux lignes | / octets bruts |",
    "| --- | ---: | ---: | ---: | ---: |",
    `| Guichet | ${(guichetMs / 1000).toFixed(1)} | ${(guichetMs / floorMs).toFixed(2)}× | ${kb(guichetWire)} (montée A ${kb(guichetUp)}, descente B ${kb(guichetDown)}) | ${(guichetWire / rawBytes).toFixed(2)}× |`,
    `| PouchDB replicate (envoi puis réception) | ${(pouchMs / 1000).toFixed(1)} | ${(pouchMs / floorMs).toFixed(2)}× | ${kb(pouchWire)} | ${(pouchWire / rawBytes).toFixed(2)}× |`,
    `| limite physique | ${(floorMs / 1000).toFixed(1)} | 1× | ${kb(rawBytes)} (JSON brut des documents) | 1× |`,
    "",
    "La limite physique compte une seule traversée des documents (montée et descente se recouvrent) plus un aller-retour.",
    "",
    "Les envois sont compressés (gzip) et les réponses du serveur aussi : les documents de ce banc, générés, se ressemblent beaucoup et se compressent mieux (≈ 20:1 en montée) que des demandes réelles (≈ 4:1 attendu) ; le rapport à la limite physique en octets bruts est donc flatteur.",
    "",
  ].join("\n");
  writeFileSync(path.resolve("docs/bench/link.md"), md);
  console.log(md);
}

function PouchDBreplicateOnce(P: PouchCtor, from: PouchLike, to: PouchLike): Promise<void> {
  return new Promise((resolve, reject) => {
    const rep = P.replicate(from, to, {});
    rep.on("complete", () => resolve());
    rep.on("error", (e) => reject(e));
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
