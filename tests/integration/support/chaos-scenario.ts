import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { GuichetRequest } from "../../../domain/request";
import { rolesFromCouch } from "../../../domain/roles";
import { nextStatuses } from "../../../domain/workflow";
import { bootstrap } from "../../../sync-server/couch/bootstrap";
import { couchServer } from "../../../sync-server/couch/couch-db";
import { randomPassword } from "../../../sync-server/couch/secrets";
import { addUser } from "../../../sync-server/couch/users";
import { startConflictMerger } from "../../../sync-server/jobs/conflict-merger";
import { ensureServerDatabase } from "../../../sync-server/services/server-db";
import type { KillableCouch } from "../../support/killable-couch";
import { type LinkProxy, seededRandom, startLinkProxy } from "../../support/link-proxy";
import { openWorkstation, type Workstation } from "./workstation";

/**
 * The chaos scenario, shared by tests/integration/chaos.test.ts (a few seeds, small) and
 * bench/chaos-long.ts (20 seeds × 300 requests per workstation): three workstations record and
 * edit requests while their lines drop mid-request, the server is killed with SIGKILL and
 * restarted, and a workstation is closed in the middle of a push. At the end every replica and
 * the server must hold every request once, every event, the same state. Plain assertions (no
 * test runner needed); every failure message starts with the seed, to replay it.
 */
export const CHAOS_CODES = ["M3P", "N4Q", "P5R"];

export type ChaosResult = {
  seed: number;
  requests: number;
  events: number;
  cuts: number;
  kills: number;
  /** Closes that happened with a push pending. */
  closes: number;
  durationMs: number;
};

type Station = {
  ws: Workstation;
  proxy: LinkProxy;
  user: { name: string; password: string };
  dbName: string;
  code: string;
};

export async function runChaos(
  server: KillableCouch,
  seed: number,
  perWorkstation: number,
  log: (line: string) => void = console.log,
): Promise<ChaosResult> {
  const started = Date.now();
  // Closed whatever happens: RxDB's free edition allows 13 open collections per process.
  const stations: Station[] = [];
  const jobs: { stop(): Promise<void> }[] = [];
  try {
    return await scenario(server, seed, perWorkstation, stations, jobs, started, log);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = `[chaos seed ${seed}] ${e.message}`;
    throw e;
  } finally {
    for (const job of jobs) await job.stop().catch(() => {});
    for (const st of stations) {
      await st.ws.destroy().catch((e) => console.error("destroy failed", e));
      await st.proxy.stop().catch(() => {});
    }
  }
}

async function scenario(
  server: KillableCouch,
  seed: number,
  perWorkstation: number,
  stations: Station[],
  jobs: { stop(): Promise<void> }[],
  started: number,
  log: (line: string) => void,
): Promise<ChaosResult> {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const commune = `chaos-${seed}-${randomBytes(3).toString("hex")}`;
  const env = { GUICHET_PORTAL_PASSWORD: randomPassword(), GUICHET_SERVER_PASSWORD: randomPassword() };
  const boot = await bootstrap(server.couch, commune, undefined, { env });
  const dbPath = `/guichet-${commune}`;
  // The server's conflict merger runs beside the database, as in production: with a node down,
  // two workstations' writes on one revision may both be accepted as siblings, which it merges.
  const sa = boot.serviceAccounts.server;
  const asServer = couchServer(server.couch.url, { username: sa.name, password: sa.password });
  const admin = couchServer(server.couch.url, {
    username: server.couch.adminUser,
    password: server.couch.adminPassword,
  });
  jobs.push(
    startConflictMerger({
      databases: [boot.databases.main],
      db: (name) => asServer.db(name),
      checkpoints: asServer.db(await ensureServerDatabase(admin, commune)),
      instanceId: "chaos",
      onError: () => undefined,
    }),
  );

  for (const code of CHAOS_CODES) {
    const user = { name: `chaos-${code.toLowerCase()}.${commune}`, password: randomPassword() };
    await addUser(server.couch, {
      ...user,
      roles: ["agent", "service_agent"],
      services: ["scolaire", "accueil"],
      commune,
    });
    const proxy = await startLinkProxy({ target: { host: server.host, port: server.port }, random });
    const dbName = `chaos-${commune}-${code}`;
    const ws = await openWorkstation({
      code,
      commune,
      dbUrl: proxy.url + dbPath,
      auth: { username: user.name, password: user.password },
      dbName,
      pushBatchSize: 10,
    });
    stations.push({ ws, proxy, user, dbName, code });
  }
  const roles = rolesFromCouch(["guichet:agent", "guichet:service_agent"]);
  const createdIds = new Set<string>();
  const eventIds = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let serverDown: Promise<void> | undefined;

  const target = perWorkstation * CHAOS_CODES.length;
  const faults = { cuts: 0, kills: 0, closes: 0 };
  // Each kind of fault happens at least once per run, whatever the dice say.
  const forced = (kind: keyof typeof faults, at: number) =>
    faults[kind] === 0 && createdIds.size >= target * at;
  while (createdIds.size < target) {
    let r = random();
    if (forced("cuts", 0.25)) r = 0.85;
    else if (forced("kills", 0.5) && !serverDown) r = 0.9;
    else if (forced("closes", 0.75)) r = 0.93;
    const st = pick(stations);
    if (r < 0.45) {
      const doc = await st.ws.record();
      createdIds.add(doc.id);
      eventIds.add(`${doc.id}/${doc.events[0]!.id}`);
    } else if (r < 0.8) {
      const local = await st.ws.all();
      if (local.length === 0) continue;
      const doc = pick(local);
      const k = random();
      const event =
        k < 0.4
          ? st.ws.event("note", { text: `Note ${st.code} ${Math.floor(random() * 1e6)}` })
          : k < 0.7
            ? st.ws.event("assigned", { service: pick(["scolaire", "accueil"]), assignee: st.user.name })
            : (() => {
                const next = nextStatuses(doc.status, roles);
                if (next.length === 0) return undefined;
                const to = pick(next);
                // A request for pieces names them and their time limit (L114-5), as the app does.
                const pieces =
                  to === "incomplete" ? { missingPieces: ["Justificatif"], piecesDueOn: "2030-01-31" } : {};
                return st.ws.event("status", { from: doc.status, to, ...pieces });
              })();
      if (!event) continue;
      await st.ws.repo.addEvents(doc.id, [event]);
      eventIds.add(`${doc.id}/${event.id}`);
    } else if (r < 0.88) {
      // The line drops in the middle of whatever is in flight, for 50 to 600 ms.
      st.proxy.cut();
      faults.cuts++;
      timers.push(setTimeout(() => st.proxy.restore(), 50 + random() * 550));
    } else if (r < 0.92 && !serverDown) {
      await server.kill9();
      faults.kills++;
      const downMs = 100 + random() * 700;
      serverDown = new Promise((resolve) => setTimeout(resolve, downMs)).then(() => server.start());
      void serverDown.then(() => {
        serverDown = undefined;
      });
    } else if (r < 0.95) {
      // The agent closes the app, maybe in the middle of a push, and opens it again.
      const pendingAtClose = (await st.ws.status()).pending;
      faults.closes += pendingAtClose > 0 ? 1 : 0;
      const dbName = await st.ws.close();
      st.ws = await openWorkstation({
        code: st.code,
        commune,
        dbUrl: st.proxy.url + dbPath,
        auth: { username: st.user.name, password: st.user.password },
        dbName,
        pushBatchSize: 10,
      });
    } else {
      await new Promise((res) => setTimeout(res, 10 + random() * 90));
    }
  }

  assert.ok(faults.cuts > 0, "aucune coupure de ligne");
  assert.ok(faults.kills > 0, "aucun arrêt SIGKILL du serveur");
  log(
    `[chaos seed ${seed}] ${createdIds.size} demandes, ${eventIds.size} événements, ${faults.cuts} coupures, ${faults.kills} arrêts SIGKILL, ${faults.closes} fermetures pendant un envoi`,
  );
  // The line comes back for good.
  for (const t of timers) clearTimeout(t);
  await serverDown;
  for (const st of stations) {
    st.proxy.restore();
    st.ws.replication.reSync();
  }
  const expected = [...eventIds].sort();
  const server$ = async () => {
    const res = await server.couch.admin
      .db(`guichet-${commune}`)
      .allDocs<GuichetRequest>({ include_docs: true });
    return res.rows.filter((r) => !r.id.startsWith("_design/")).map((r) => r.doc as GuichetRequest);
  };
  const eventsOf = (docs: GuichetRequest[]) =>
    docs.flatMap((d) => d.events.map((e) => `${d.id}/${e.id}`)).sort();
  /** Where each missing event is (server, which workstations) and what each replication says. */
  const diagnosis = async (all: GuichetRequest[][]): Promise<string> => {
    const names = ["serveur", ...stations.map((st) => st.code)];
    const held = all.map((docs) => new Set(eventsOf(docs)));
    const lines: string[] = [];
    for (const [i, name] of names.entries()) {
      const missing = expected.filter((e) => !held[i]!.has(e));
      const where = missing
        .slice(0, 5)
        .map((e) => `${e} (chez ${names.filter((_, j) => held[j]!.has(e)).join(",") || "personne"})`);
      lines.push(`${name} : ${missing.length} événements manquants ${where.join(" ")}`);
    }
    for (const st of stations) {
      const status = await st.ws.status();
      const rejections = (await st.ws.db.rejections.find().exec())
        .slice(0, 3)
        .map((r) => `${r.id}: ${r.reason}`);
      lines.push(
        `${st.code} : ${JSON.stringify(status)} ligne ${st.proxy.isUp ? "ouverte" : "coupée"} ${rejections.join(" | ")}`,
      );
    }
    return lines.join("\n");
  };
  // Bigger runs have more to push and pull over the same lines.
  const deadline = Date.now() + 240_000 + target * 200;
  for (;;) {
    const all = [await server$(), ...(await Promise.all(stations.map((s) => s.ws.all())))];
    if (all.every((docs) => eventsOf(docs).join() === expected.join())) break;
    if (Date.now() > deadline) {
      const counts = all.map((docs) => `${docs.length} demandes/${eventsOf(docs).length} événements`);
      throw new Error(
        `pas de convergence : attendu ${createdIds.size}/${expected.length}, obtenu ${counts.join(" ; ")}\n${await diagnosis(all)}`,
      );
    }
    for (const st of stations) st.ws.replication.reSync();
    await new Promise((res) => setTimeout(res, 500));
  }
  for (const st of stations) await st.ws.settle(60_000);
  // Flags (pending markers, refusals) are reconciled against the server when each replication idles.
  const flagsDeadline = Date.now() + 30_000;
  for (const st of stations) {
    while (Date.now() < flagsDeadline) {
      const s = await st.ws.status();
      if (s.pending === 0 && s.rejected === 0) break;
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  const state = (docs: GuichetRequest[]) =>
    docs
      .map((d) => ({
        id: d.id,
        status: d.status,
        service: d.service,
        assignee: d.assignee,
        open: d.open,
        dueOn: d.dueOn,
        events: d.events.map((e) => e.id),
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  // On a cluster a listing reads one copy per shard: a copy behind (a node just restarted) may
  // not show yet what was acknowledged and already seen converged above. Read until it does.
  let onServer = await server$();
  for (const end = Date.now() + 30_000; Date.now() < end && eventsOf(onServer).join() !== expected.join(); ) {
    await new Promise((res) => setTimeout(res, 300));
    onServer = await server$();
  }
  assert.equal(onServer.length, createdIds.size, "nombre de demandes sur le serveur");
  assert.deepEqual(new Set(onServer.map((d) => d.id)), createdIds, "demandes sur le serveur");
  assert.deepEqual(eventsOf(onServer), expected, "événements sur le serveur");
  for (const st of stations) {
    const local = await st.ws.all();
    assert.deepEqual(state(local), state(onServer), `état dérivé du poste ${st.code}`);
    const status = await st.ws.status();
    const rejections = (await st.ws.db.rejections.find().exec()).map((r) => `${r.id}: ${r.reason}`);
    assert.deepEqual(
      { pending: status.pending, rejected: status.rejected, rejections },
      { pending: 0, rejected: 0, rejections: [] },
      `marqueurs du poste ${st.code}`,
    );
  }
  return {
    seed,
    requests: createdIds.size,
    events: eventIds.size,
    ...faults,
    durationMs: Date.now() - started,
  };
}
