import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { rolesFromCouch } from "../../domain/roles";
import { nextStatuses } from "../../domain/workflow";
import { bootstrap } from "../../sync-server/bootstrap";
import { randomPassword } from "../../sync-server/secrets";
import { addUser } from "../../sync-server/users";
import { type KillableCouch, startKillableCouch } from "../support/killable-couch";
import { type LinkProxy, seededRandom, startLinkProxy } from "../support/link-proxy";
import { openWorkstation, type Workstation } from "./support/workstation";

/**
 * Three workstations record and edit requests while their lines drop mid-request, the server is
 * killed with SIGKILL and restarted, and a workstation is closed in the middle of a push. At the
 * end every replica and the server must hold every request once, every event, the same state.
 * Short form here (CHAOS_SEEDS, CHAOS_REQUESTS); the long run is `npm run bench:chaos`.
 */
const SEEDS = (process.env.CHAOS_SEEDS ?? "11,29").split(",").map(Number);
const PER_WORKSTATION = Number(process.env.CHAOS_REQUESTS ?? 15);
const CODES = ["M3P", "N4Q", "P5R"];

type Station = {
  ws: Workstation;
  proxy: LinkProxy;
  user: { name: string; password: string };
  dbName: string;
  code: string;
};
/** Closed after each run, failed or not: RxDB's free edition allows 13 open collections per process. */
const open: Station[] = [];

describe("sync under chaos", () => {
  let server: KillableCouch;
  beforeAll(async () => {
    server = await startKillableCouch();
  });
  afterEach(async () => {
    for (const st of open.splice(0)) {
      await st.ws.destroy().catch((e) => console.error("destroy failed", e));
      await st.proxy.stop().catch(() => {});
    }
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const seed of SEEDS) {
    it(`converges with nothing lost or doubled (seed ${seed}, ${PER_WORKSTATION} requests per workstation)`, async () => {
      try {
        await runChaos(server, seed);
      } catch (err) {
        (err as Error).message =
          `[chaos seed ${seed}] ${(err as Error).message} ${JSON.stringify((err as { parameters?: unknown }).parameters ?? "")}`;
        throw err;
      }
    }, 600_000);
  }
});

async function runChaos(server: KillableCouch, seed: number): Promise<void> {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const commune = `chaos-${seed}-${randomBytes(3).toString("hex")}`;
  const env = { GUICHET_PORTAL_PASSWORD: randomPassword(), GUICHET_SERVER_PASSWORD: randomPassword() };
  await bootstrap(server.couch, commune, undefined, { env });
  const dbPath = `/guichet-${commune}`;

  const stations = open;
  for (const code of CODES) {
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

  const target = PER_WORKSTATION * CODES.length;
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
                return next.length > 0
                  ? st.ws.event("status", { from: doc.status, to: pick(next) })
                  : undefined;
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

  expect(faults.cuts).toBeGreaterThan(0);
  expect(faults.kills).toBeGreaterThan(0);
  console.log(
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
      .use<GuichetRequest>(`guichet-${commune}`)
      .list({ include_docs: true });
    return res.rows
      .filter((r) => !r.id.startsWith("_design/"))
      .map((r) => r.doc as unknown as GuichetRequest);
  };
  const eventsOf = (docs: GuichetRequest[]) =>
    docs.flatMap((d) => d.events.map((e) => `${d.id}/${e.id}`)).sort();
  const deadline = Date.now() + 240_000;
  for (;;) {
    const all = [await server$(), ...(await Promise.all(stations.map((s) => s.ws.all())))];
    if (all.every((docs) => eventsOf(docs).join() === expected.join())) break;
    if (Date.now() > deadline) {
      const counts = all.map((docs) => `${docs.length} demandes/${eventsOf(docs).length} événements`);
      throw new Error(
        `pas de convergence : attendu ${createdIds.size}/${expected.length}, obtenu ${counts.join(" ; ")}`,
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
  const onServer = await server$();
  expect(onServer).toHaveLength(createdIds.size);
  expect(new Set(onServer.map((d) => d.id))).toEqual(createdIds);
  expect(eventsOf(onServer)).toEqual(expected);
  for (const st of stations) {
    const local = await st.ws.all();
    expect(state(local)).toEqual(state(onServer));
    const status = await st.ws.status();
    const rejections = (await st.ws.db.rejections.find().exec()).map((r) => `${r.id}: ${r.reason}`);
    expect({ pending: status.pending, rejected: status.rejected, rejections }).toEqual({
      pending: 0,
      rejected: 0,
      rejections: [],
    });
  }
}
