import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrap } from "../../sync-server/couch/bootstrap";
import { randomPassword } from "../../sync-server/couch/secrets";
import { addUser } from "../../sync-server/couch/users";
import { type KillableCouch, startKillableCouch } from "../support/killable-couch";
import { CHAOS_CODES, runChaos } from "./support/chaos-scenario";
import { call } from "./support/http";
import { buildRequest } from "./support/requests";
import { openWorkstation } from "./support/workstation";

/**
 * Three workstations record and edit requests while their lines drop mid-request, the server is
 * killed with SIGKILL and restarted, and a workstation is closed in the middle of a push. At the
 * end every replica and the server must hold every request once, every event, the same state.
 * Short form here (CHAOS_SEEDS, CHAOS_REQUESTS); the long run is `npm run bench:chaos`, on the
 * same scenario (support/chaos-scenario.ts).
 */
const SEEDS = (process.env.CHAOS_SEEDS ?? "11,29").split(",").map(Number);
const PER_WORKSTATION = Number(process.env.CHAOS_REQUESTS ?? 15);

describe("sync under chaos", () => {
  let server: KillableCouch;
  beforeAll(async () => {
    server = await startKillableCouch();
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const seed of SEEDS) {
    it(`converges with nothing lost or doubled (seed ${seed}, ${PER_WORKSTATION} requests per workstation)`, async () => {
      const result = await runChaos(server, seed, PER_WORKSTATION);
      expect(result.requests).toBe(PER_WORKSTATION * CHAOS_CODES.length);
      expect(result.cuts).toBeGreaterThan(0);
      expect(result.kills).toBeGreaterThan(0);
    }, 600_000);
  }

  // Found by the long chaos run (seed 4: one request missing on one workstation for good). A
  // request written after the workstation's first pull ended and before its live feed started
  // must still arrive: the feed may not start "now".
  it("misses nothing written between a workstation's first pull and the start of its live feed", async () => {
    const commune = `gap-${randomBytes(3).toString("hex")}`;
    const env = { GUICHET_PORTAL_PASSWORD: randomPassword(), GUICHET_SERVER_PASSWORD: randomPassword() };
    await bootstrap(server.couch, commune, undefined, { env });
    const dbUrl = `${server.couch.url}/guichet-${commune}`;
    const users = await Promise.all(
      ["gap-a", "gap-b"].map(async (n) => {
        const user = { name: `${n}.${commune}`, password: randomPassword() };
        await addUser(server.couch, { ...user, roles: ["agent"], services: [], commune });
        return user;
      }),
    );
    const [writer, reader] = users as [(typeof users)[0], (typeof users)[0]];
    const write = async () => {
      const doc = buildRequest({ commune, by: writer.name });
      expect((await call("POST", dbUrl, writer, doc)).status).toBe(201);
      return doc._id;
    };

    // The first long-poll of the reader waits until its first pull has answered, and one more
    // request is written in between: "now" would start after it.
    const plain = globalThis.fetch;
    let firstPullDone: () => void = () => undefined;
    const pulled = new Promise<void>((r) => {
      firstPullDone = r;
    });
    let gapWritten: (id: string) => void = () => undefined;
    const inGap = new Promise<string>((r) => {
      gapWritten = r;
    });
    let intercepted = false;
    globalThis.fetch = async (input, init) => {
      const url = String(input);
      if (!url.startsWith(`${dbUrl}/_changes`)) return plain(input, init);
      if (url.includes("feed=longpoll") && !intercepted) {
        intercepted = true;
        gapWritten(await pulled.then(write));
      }
      if (url.includes("feed=longpoll")) return plain(input, init);
      const res = await plain(input, init);
      firstPullDone();
      return res;
    };
    const ws = await openWorkstation({
      code: "G7P",
      commune,
      dbUrl,
      auth: { username: reader.name, password: reader.password },
    });
    try {
      const before = await write();
      const gap = await inGap;
      const after = await write();
      // Live changes only (no resync from an old checkpoint) until the last one has arrived...
      const has = async (wanted: string[]) => {
        const ids = (await ws.all()).map((d) => d.id);
        return wanted.every((id) => ids.includes(id));
      };
      const until = async (cond: () => Promise<boolean>, ms: number, poke = false) => {
        const end = Date.now() + ms;
        while (Date.now() < end && !(await cond())) {
          if (poke) ws.replication.reSync();
          await new Promise((r) => setTimeout(r, 300));
        }
      };
      await until(() => has([after]), 15_000);
      await new Promise((r) => setTimeout(r, 1_000));
      // ...then even a resync from the checkpoint it left must bring the earlier ones.
      await until(() => has([before, gap, after]), 5_000, true);
      const ids = (await ws.all()).map((d) => d.id);
      expect(ids.sort()).toEqual([before, gap, after].sort());
    } finally {
      globalThis.fetch = plain;
      await ws.destroy();
    }
  }, 60_000);
});
