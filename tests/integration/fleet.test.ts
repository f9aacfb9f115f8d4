import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  WORKSTATION_HEADER,
  WORKSTATION_REVOKED,
  workstationStatusId,
} from "../../domain/workstation-status";
import { loadWorkstations } from "../../sync-server/api/fleet-api";
import { deleteCommune } from "../../sync-server/communes/delete-commune";
import { bootstrap } from "../../sync-server/couch/bootstrap";
import { couchServer } from "../../sync-server/couch/couch-db";
import { type CouchGateway, startCouchGateway } from "../../sync-server/couch/gateway/couch-gateway";
import { randomPassword } from "../../sync-server/couch/secrets";
import { addUser } from "../../sync-server/couch/users";
import { WorkstationRegistry } from "../../sync-server/couch/workstation-registry";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { basicAuth } from "./support/http";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";

/**
 * Workstation identities, status documents and revocation, as an attacker would try them: raw
 * HTTP on the database port (the embedded server's gateway, or the gateway in front of CouchDB 3)
 * and on the API.
 */
type Reply = { status: number; body: Record<string, unknown> };
type Ws = { code: string; secret: string };

async function raw(
  method: string,
  url: string,
  opts: { user?: TestUser; ws?: Ws | string; body?: unknown } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (opts.user) headers.authorization = basicAuth(opts.user);
  if (opts.ws)
    headers[WORKSTATION_HEADER] = typeof opts.ws === "string" ? opts.ws : `${opts.ws.code}.${opts.ws.secret}`;
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers,
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body };
}

/** The machine-readable refusal: the gateway's `error`, or the API's first `errors[].field`. */
function refusal(r: Reply): string {
  if (typeof r.body.error === "string") return r.body.error;
  const first = (r.body.errors as { field?: string }[] | undefined)?.[0];
  return first?.field ?? "";
}

describe("workstations: identity, status documents, revocation", () => {
  let tc: TestCouch;
  let server: GuichetServer;
  let gateway: CouchGateway | null = null;
  /** The database port workstations are given. */
  let door: string;
  let agent: TestUser;
  let supervisor: TestUser;
  let other: { commune: string; user: TestUser };
  let registry: WorkstationRegistry;

  const db = (kind: "main" | "log") => `${door}/${encodeURIComponent(tc.dbName(kind))}`;
  const api = (path: string) => `${server.url}/api/v1${path}`;

  async function register(user: TestUser, name = "Accueil 1"): Promise<Ws> {
    const r = await raw("POST", api("/workstations"), { user, body: { name } });
    expect(r.status).toBe(201);
    return { code: String(r.body.code), secret: String(r.body.secret) };
  }

  beforeAll(async () => {
    tc = await startTestCouch();
    const ws = tc.couch.workstations;
    if (!ws) throw new Error("connectCouch gives every server a workstation registry");
    registry = ws;
    const sa = tc.bootstrapped.serviceAccounts;
    server = await startGuichetServer({
      couch: tc.couch,
      commune: tc.commune,
      port: 0,
      jobs: false,
      log: () => undefined,
      mailIntake: false,
      env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    });
    if (tc.kind === "couchdb") {
      // Production's choice in front of CouchDB 3 (README, Sécurité): workstations reach it through the gateway.
      gateway = await startCouchGateway({
        couchdbUrl: tc.url,
        adminUser: tc.adminUser,
        adminPassword: tc.adminPassword,
        port: 0,
        corsOrigins: [],
        workstations: registry,
      });
      door = gateway.url;
    } else {
      door = tc.url;
    }
    agent = await tc.createUser("agent-poste", ["agent"]);
    supervisor = await tc.createUser("chef-poste", ["supervisor"]);
    const otherCommune = `it-${randomBytes(5).toString("hex")}`;
    await bootstrap(tc.couch, otherCommune, undefined, { env: {} });
    const user = { name: `agent.${otherCommune}`, password: randomPassword() };
    await addUser(tc.couch, { ...user, roles: ["agent"], services: [], commune: otherCommune });
    other = { commune: otherCommune, user };
  }, 120_000);

  afterAll(async () => {
    registry.required = false;
    await gateway?.stop();
    await server?.stop();
    if (tc?.kind === "couchdb" && other) {
      await deleteCommune(tc.couch, other.commune).catch(() => undefined);
      const users = tc.admin.use<{ _rev: string }>("_users");
      const doc = await users.get(`org.couchdb.user:${other.user.name}`).catch(() => undefined);
      if (doc) await users.destroy(doc._id, doc._rev);
    }
    await tc?.stop();
  });

  it("issues a secret once with the code and lists the new workstation in the -log database", async () => {
    const ws = await register(agent, "Accueil mairie annexe");
    expect(ws.code).toMatch(/^[0-9A-Z]{3}$/);
    expect(ws.secret.length).toBeGreaterThanOrEqual(32);
    const status = await raw("GET", `${db("log")}/${workstationStatusId(ws.code)}`, { user: supervisor });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ code: ws.code, name: "Accueil mairie annexe", agent: agent.name });
    // The server keeps only the secret's hash.
    const record = await tc.admin.use(`guichet-${tc.commune}-server`).get(`workstation:${ws.code}`);
    expect(JSON.stringify(record)).not.toContain(ws.secret);
  });

  it("refuses an agent's sync and API calls that name no workstation when identities are required", async () => {
    const ws = await register(agent);
    registry.required = true;
    try {
      const without = await raw("GET", `${db("main")}/_changes?limit=1`, { user: agent });
      expect(without.status).toBe(403);
      expect(refusal(without)).toBe("workstation_required");
      const apiWithout = await raw("GET", api("/outbox"), { user: supervisor });
      expect(apiWithout.status).toBe(403);
      // A forged identity is no better than none.
      const forged = await raw("GET", `${db("main")}/_changes?limit=1`, {
        user: agent,
        ws: `${ws.code}.${"x".repeat(32)}`,
      });
      expect(forged.status).toBe(403);
      expect(refusal(forged)).toBe("workstation_unknown");
      // With its identity the workstation syncs; logging in and reading the configuration need none.
      expect((await raw("GET", `${db("main")}/_changes?limit=1`, { user: agent, ws })).status).toBe(200);
      // Writes too (the embedded server's member check asks the database again, as the same workstation).
      const bulk = await raw("POST", `${db("main")}/_bulk_docs`, {
        user: agent,
        ws,
        body: { docs: [{ _id: "ZZZZZZZZ" }] },
      });
      expect(bulk.status).toBe(201);
      const find = await raw("POST", `${db("main")}/_find`, {
        user: agent,
        ws,
        body: { selector: { _id: "x" } },
      });
      expect(find.status).toBe(200);
      expect((await raw("GET", `${door}/_session`, { user: agent })).status).toBe(200);
      expect((await raw("GET", api("/workstation/config"), { user: agent })).status).toBe(200);
    } finally {
      registry.required = false;
    }
  });

  it("lets a workstation write only its own status document, stamped with the server's time", async () => {
    const mine = await register(agent, "Poste A");
    const theirs = await register(agent, "Poste B");
    const url = `${db("log")}/${workstationStatusId(mine.code)}`;
    const current = await raw("GET", url, { user: agent, ws: mine });
    const report = {
      ...current.body,
      agent: agent.name,
      reportedAt: "2000-01-01T00:00:00.000Z",
      seenAt: "2000-01-01T00:00:00.000Z",
      pendingRequests: 3,
      pendingFiles: 1,
      rejected: 0,
      oldestPendingAt: "2000-01-01T00:00:00.000Z",
    };
    const before = Date.now();
    const put = await raw("PUT", url, { user: agent, ws: mine, body: report });
    expect(put.status).toBe(201);
    const stored = await raw("GET", url, { user: supervisor, ws: mine });
    expect(stored.body.pendingRequests).toBe(3);
    // The last contact is the server's clock, not the workstation's.
    expect(Date.parse(String(stored.body.seenAt))).toBeGreaterThanOrEqual(before - 1000);

    const theirsUrl = `${db("log")}/${workstationStatusId(theirs.code)}`;
    const theirsDoc = (await raw("GET", theirsUrl, { user: agent, ws: theirs })).body;
    const attempts: Reply[] = [
      // another workstation's status, in its own id, in a bulk write, by POST
      await raw("PUT", theirsUrl, { user: agent, ws: mine, body: { ...theirsDoc, pendingRequests: 0 } }),
      await raw("POST", `${db("log")}/_bulk_docs`, {
        user: agent,
        ws: mine,
        body: { docs: [{ ...theirsDoc, pendingRequests: 0 }] },
      }),
      await raw("POST", db("log"), { user: agent, ws: mine, body: { ...theirsDoc, _rev: undefined } }),
      // a status with no workstation identity at all
      await raw("PUT", url, { user: agent, body: { ...stored.body } }),
    ];
    for (const a of attempts) expect(a.status).toBe(403);
    // Written in another agent's name, or marked revoked by the workstation itself: the database says no.
    const forgedAgent = await raw("PUT", url, {
      user: agent,
      ws: mine,
      body: { ...stored.body, agent: supervisor.name },
    });
    expect(forgedAgent.status).toBe(403);
    const selfRevoked = await raw("PUT", url, {
      user: agent,
      ws: mine,
      body: { ...stored.body, revoked: { at: new Date().toISOString(), by: agent.name } },
    });
    expect(selfRevoked.status).toBe(403);
  });

  it("keeps status documents from agents of another commune", async () => {
    const ws = await register(agent, "Poste C");
    const url = `${db("log")}/${workstationStatusId(ws.code)}`;
    const read = await raw("GET", url, { user: other.user });
    expect([401, 403]).toContain(read.status);
    const feed = await raw("GET", `${db("log")}/_changes?include_docs=true`, { user: other.user });
    expect([401, 403]).toContain(feed.status);
    // Nor may a workstation of this commune be used against the other commune's databases.
    const cross = await raw("GET", `${door}/guichet-${other.commune}-log/_changes`, { user: other.user, ws });
    expect(cross.status).toBe(403);
  });

  it("refuses a revoked workstation at once on every route it used, whoever logs in on it", async () => {
    const ws = await register(agent, "Portable perdu");
    const statusUrl = `${db("log")}/${workstationStatusId(ws.code)}`;
    const status = (await raw("GET", statusUrl, { user: agent, ws })).body;
    await raw("PUT", statusUrl, {
      user: agent,
      ws,
      body: { ...status, pendingRequests: 4, pendingFiles: 2, oldestPendingAt: new Date().toISOString() },
    });
    expect((await raw("GET", `${db("main")}/_changes?limit=1`, { user: agent, ws })).status).toBe(200);

    // An agent may not revoke; a supervisor sees what the server knows is pending, then revokes.
    expect((await raw("POST", api(`/workstations/${ws.code}/revoke`), { user: agent, ws })).status).toBe(403);
    const known = await raw("GET", api(`/workstations/${ws.code}`), { user: supervisor });
    expect(known.status).toBe(200);
    expect(known.body.status).toMatchObject({ pendingRequests: 4, pendingFiles: 2 });
    // A long-poll it holds open when revoked ends then, not when its timeout comes.
    const started = Date.now();
    const longPoll = raw("GET", `${db("main")}/_changes?feed=longpoll&since=now&timeout=20000`, {
      user: agent,
      ws,
    }).then(
      (r) => ({ ended: Date.now() - started, status: r.status }),
      () => ({ ended: Date.now() - started, status: 0 }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const revoked = await raw("POST", api(`/workstations/${ws.code}/revoke`), { user: supervisor });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked).toMatchObject({ by: supervisor.name });
    const cut = await longPoll;
    expect(cut.ended).toBeLessThan(10_000);
    expect(cut.status).not.toBe(200);

    const doc = { _id: "ZZZZZZZZ", type: "x" };
    const routes: [string, string, unknown?][] = [
      ["GET", `${door}/`],
      ["GET", `${door}/_session`],
      ["GET", `${db("main")}/`],
      ["GET", `${db("main")}/_changes?feed=longpoll&timeout=1000`],
      ["POST", `${db("main")}/_all_docs?include_docs=true`, { keys: ["ZZZZZZZZ"] }],
      ["POST", `${db("main")}/_bulk_docs`, { docs: [doc] }],
      ["POST", `${db("main")}/_bulk_get`, { docs: [{ id: "ZZZZZZZZ" }] }],
      ["POST", `${db("main")}/_revs_diff`, { ZZZZZZZZ: ["1-a"] }],
      ["GET", `${db("main")}/ZZZZZZZZ`],
      ["PUT", `${db("main")}/ZZZZZZZZ`, doc],
      ["GET", `${db("main")}/_local/checkpoint`],
      ["PUT", `${db("main")}/_local/checkpoint`, { seq: 1 }],
      ["GET", `${db("log")}/_changes`],
      ["POST", `${db("log")}/_bulk_docs`, { docs: [] }],
      ["GET", statusUrl],
      ["PUT", statusUrl, { ...status, revoked: undefined }],
    ];
    for (const [method, url, body] of routes) {
      const r = await raw(method, url, { user: agent, ws, ...(body !== undefined ? { body } : {}) });
      expect({ method, url, status: r.status, error: refusal(r) }).toEqual({
        method,
        url,
        status: 403,
        error: WORKSTATION_REVOKED,
      });
    }
    const apiRoutes: [string, string, unknown?][] = [
      ["GET", api("/workstation/config")],
      ["GET", api("/workstation/demarche-versions")],
      ["POST", api("/workstations"), { name: "Nouveau" }],
      ["POST", api("/handovers"), { request: {} }],
      ["GET", api("/requests/ZZZZZZZZ/attachments/00")],
      ["GET", api("/outbox")],
    ];
    for (const [method, url, body] of apiRoutes) {
      const r = await raw(method, url, { user: supervisor, ws, ...(body !== undefined ? { body } : {}) });
      expect({ url, status: r.status, error: refusal(r) }).toEqual({
        url,
        status: 403,
        error: WORKSTATION_REVOKED,
      });
    }

    // Every supervisor's replica learns it: the status document says revoked.
    const after = await raw("GET", statusUrl, { user: supervisor });
    expect(after.body.revoked).toMatchObject({ by: supervisor.name });
    // A revocation outlives the process: a fresh registry reads it back from the records.
    const fresh = new WorkstationRegistry(true);
    const asServer = couchServer(tc.url, {
      username: tc.bootstrapped.serviceAccounts.server.name,
      password: tc.bootstrapped.serviceAccounts.server.password,
    });
    await loadWorkstations({
      serverDb: asServer.db(`guichet-${tc.commune}-server`),
      registry: fresh,
      commune: tc.commune,
    });
    const probe = { headers: { [WORKSTATION_HEADER.toLowerCase()]: `${ws.code}.${ws.secret}` } };
    expect(fresh.identify(probe as never).kind).toBe("revoked");
  });
});
