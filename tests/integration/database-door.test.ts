import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { request as httpsRequest } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedCouch } from "../../sync-server/couch/embedded-couch";
import { startCouchGateway } from "../../sync-server/couch/gateway/couch-gateway";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { ensureServerDatabase } from "../../sync-server/services/server-db";
import { basicAuth, call, errorOf, type Reply } from "./support/http";
import { buildRequest } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";
import { openWorkstation } from "./support/workstation";

/**
 * The database port probed as an attacker would (issue #22): raw HTTP, anonymous and with an
 * agent's own password, nothing in between. Every probe of the issue is refused, the server
 * survives the requests that used to stop it, and a workstation still syncs afterwards.
 */
describe("the database door", () => {
  let t: TestCouch;
  let agent: TestUser;
  let supervisor: TestUser;
  let catalogueAdmin: TestUser;
  /** A server that counts what reaches it: a replication "source" the database must never call. */
  let bait: Server;
  let baitHits = 0;
  let baitUrl: string;

  beforeAll(async () => {
    t = await startTestCouch();
    agent = await t.createUser("agent", ["agent"]);
    supervisor = await t.createUser("chef", ["supervisor"]);
    catalogueAdmin = await t.createUser("admin", ["admin"]);
    bait = createServer((req, res) => {
      baitHits += 1;
      // A source that resets the connection (it used to stop the embedded server).
      req.socket.destroy();
      res.destroy();
    });
    await new Promise<void>((r) => bait.listen(0, "127.0.0.1", r));
    baitUrl = `http://127.0.0.1:${(bait.address() as AddressInfo).port}/src`;
  });
  afterAll(async () => {
    await new Promise((r) => bait?.close(r));
    await t?.stop();
  });

  const main = () => t.dbUrl("main");
  const callers = () => [
    { who: "anonymous", user: null },
    { who: "agent", user: agent },
    { who: "catalogue admin", user: catalogueAdmin },
  ];
  const refused = (reply: Reply, what: string) => {
    expect([401, 403, 404, 405], `${what}: ${JSON.stringify(reply.body)}`).toContain(reply.status);
  };
  const ddocRev = async (db: string): Promise<string> =>
    ((await t.admin.use(db).get("_design/guichet")) as { _rev: string })._rev;

  it("refuses _replicate to everyone but the server admin, and never calls the source (no SSRF)", async () => {
    // CouchDB 3 itself lets any logged-in user replicate (as that user): there only anonymous
    // callers are refused, and the production fence is the reverse proxy (README, Sécurité).
    const who = t.kind === "embedded" ? callers() : callers().filter((c) => c.user === null);
    for (const { who: name, user } of who) {
      for (const target of [t.dbName("main"), "_users", "guichet-pirate"]) {
        const reply = await call("POST", `${t.url}/_replicate`, user, { source: baitUrl, target });
        refused(reply, `${name} → ${target}`);
      }
      refused(await call("PUT", `${t.url}/_replicator/pirate`, user, { source: baitUrl, target: "x" }), name);
    }
    expect(baitHits).toBe(0);
  });

  it("never lists _users: no _find, no _all_docs, no _changes, only one's own document", async () => {
    const users = `${t.url}/_users`;
    for (const { who, user } of callers()) {
      refused(await call("POST", `${users}/_find`, user, { selector: {} }), `${who} _find`);
      refused(await call("GET", `${users}/_all_docs?include_docs=true`, user), `${who} _all_docs`);
      refused(await call("GET", `${users}/_changes?include_docs=true`, user), `${who} _changes`);
      refused(await call("POST", `${users}/_index`, user, { index: { fields: ["x"] } }), `${who} _index`);
    }
    const own = await call("GET", `${users}/org.couchdb.user:${encodeURIComponent(agent.name)}`, agent);
    // The gateway serves one's own document; CouchDB 3's _users is members-only at bootstrap.
    expect(own.status, JSON.stringify(own.body)).toBe(t.kind === "embedded" ? 200 : 403);
    const other = await call(
      "GET",
      `${users}/org.couchdb.user:${encodeURIComponent(supervisor.name)}`,
      agent,
    );
    refused(other, "another user's document");
    expect(JSON.stringify(other.body)).not.toContain("derived_key");
  });

  it("refuses _index to members: the design documents of every database stay as the server wrote them", async () => {
    const dbs = [t.dbName("main"), t.dbName("config"), t.dbName("log")];
    const before = await Promise.all(dbs.map(ddocRev));
    for (const db of dbs) {
      const url = `${t.url}/${encodeURIComponent(db)}/_index`;
      const index = { index: { fields: ["status"] }, ddoc: "guichet", name: "pirate", type: "json" };
      for (const { who, user } of callers()) {
        const reply = await call("POST", url, user, index);
        // CouchDB 3 answers 400 (the design document's language differs) and leaves it alone.
        expect([400, 401, 403], `${who} ${db}: ${JSON.stringify(reply.body)}`).toContain(reply.status);
      }
    }
    expect(await Promise.all(dbs.map(ddocRev))).toEqual(before);
  });

  it("lets no role store a design document, by PUT, POST or _bulk_docs", async () => {
    const ddoc = () => ({
      _id: `_design/pirate-${Math.random().toString(36).slice(2)}`,
      validate_doc_update: "function () { require('fs').writeFileSync('/tmp/pwned', 'x'); }",
      shows: { x: "function () { return 'x'; }" },
    });
    // No role is a database admin (security.ts), so CouchDB 3 itself refuses them too.
    const writers = [agent, supervisor, catalogueAdmin];
    for (const user of writers) {
      for (const name of [t.dbName("main"), t.dbName("config")]) {
        const db = `${t.url}/${encodeURIComponent(name)}`;
        const a = ddoc();
        refused(await call("PUT", `${db}/${a._id}`, user, a), `${user.name} PUT`);
        const b = ddoc();
        refused(await call("POST", db, user, b), `${user.name} POST`);
        const c = ddoc();
        const bulk = await call("POST", `${db}/_bulk_docs`, user, { docs: [c] });
        // CouchDB answers 201 with a refused row; the gateway refuses the whole batch.
        if (bulk.status === 201) expect((bulk.body as { error?: string }[])[0]?.error).toBeDefined();
        else refused(bulk, `${user.name} _bulk_docs`);
        for (const d of [a, b, c]) {
          const stored = await t.admin
            .use(name)
            .get(d._id)
            .then(
              () => "stored",
              () => null,
            );
          expect(stored, d._id).toBeNull();
        }
      }
    }
  });

  it("keeps server endpoints and design functions to the server admin", async () => {
    const db = main();
    const probes: [string, string, unknown?][] = [
      ["GET", `${t.url}/_all_dbs`],
      ["GET", `${t.url}/_config`],
      ["PUT", `${t.url}/_config/admins/pirate`, "motdepasse"],
      ["GET", `${t.url}/_node/_local/_config`],
      ["GET", `${t.url}/_utils/`],
      ["GET", `${t.url}/_active_tasks`],
      ["PUT", `${t.url}/guichet-pirate`],
      ["DELETE", db],
      ["PUT", `${db}/_security`, { admins: { names: [], roles: [] }, members: { names: [], roles: [] } }],
      ["POST", `${db}/_temp_view`, { map: "function (d) { emit(d._id); }" }],
      ["GET", `${db}/_design/guichet/_show/x`],
      ["GET", `${db}/_design/guichet/_view/x`],
      ["POST", `${db}/_design/guichet/_update/x`, {}],
      ["GET", `${db}/_design/guichet/_rewrite/x`],
      ["POST", `${db}/_purge`, {}],
      ["POST", `${db}/_compact`, {}],
      // Harmless on CouchDB 3 (index metadata); PouchDB Server's answered any logged-in user.
      ...(t.kind === "embedded"
        ? [["POST", `${db}/_explain`, { selector: {} }] as [string, string, unknown]]
        : []),
    ];
    // No role is a database admin (security.ts): a commune's admin gets none of these either.
    const probed = callers();
    for (const { who, user } of probed) {
      for (const [method, url, body] of probes) {
        const reply = await call(method, url, user, body);
        expect(reply.status, `${who} ${method} ${url}: ${JSON.stringify(reply.body)}`).toBeGreaterThanOrEqual(
          400,
        );
      }
    }
    expect((await call("GET", db, agent)).status).toBe(200);
  });

  it("keeps the server's own database (counters, outbox, workstation register) to the server account alone", async () => {
    const name = await ensureServerDatabase(t.couch.admin, t.commune);
    const db = `${t.url}/${encodeURIComponent(name)}`;
    const sa = t.bootstrapped.serviceAccounts;
    const server = { name: sa.server.name, password: sa.server.password };
    // What the server keeps there: a counter's claim and a mail claim, written as the server.
    const claim = {
      _id: "counter:PORTAIL:bloc:1",
      type: "counter-block",
      counter: "counter:PORTAIL",
      start: 1,
      size: 50,
      at: "x",
    };
    expect((await call("PUT", `${db}/${claim._id}`, server, claim)).status).toBeLessThan(300);
    const outsiders = [
      { who: "anonymous", user: null },
      { who: "agent", user: agent },
      { who: "supervisor", user: supervisor },
      { who: "commune admin", user: catalogueAdmin },
      { who: "portal account", user: { name: sa.portal.name, password: sa.portal.password } },
    ];
    for (const { who, user } of outsiders) {
      refused(await call("GET", `${db}/${claim._id}`, user), `${who} reads a claim`);
      refused(await call("GET", `${db}/_all_docs?include_docs=true`, user), `${who} lists`);
      refused(await call("GET", `${db}/_changes?include_docs=true`, user), `${who} follows the feed`);
      refused(await call("POST", `${db}/_find`, user, { selector: { type: "outbox" } }), `${who} queries`);
      const forged = { _id: "counter:PORTAIL:bloc:51", type: "counter-block", start: 51, size: 50, at: "x" };
      refused(await call("PUT", `${db}/${forged._id}`, user, forged), `${who} claims a block`);
      refused(await call("POST", `${db}/_bulk_docs`, user, { docs: [forged] }), `${who} claims in bulk`);
      refused(await call("DELETE", `${db}/${claim._id}?rev=x`, user), `${who} deletes`);
    }
    const left = await t.admin.use(name).list({ keys: ["counter:PORTAIL:bloc:51"] });
    expect(
      left.rows.every((r) => !("value" in r) || (r as { value?: { deleted?: boolean } }).value?.deleted),
    ).toBe(true);
    // Membership is the fence: no validation function runs for each document any more.
    expect(
      (await t.admin.use(name).list({ startkey: "_design/", endkey: "_design0" })).rows.map((r) => r.id),
    ).toEqual(["_design/idx-outbox"]);
  });

  it("keeps the server's feed positions out of agents' reach: catalogue reloads cannot be frozen", async () => {
    const sa = t.bootstrapped.serviceAccounts;
    const server: GuichetServer = await startGuichetServer({
      couch: t.couch,
      commune: t.commune,
      port: 0,
      jobs: false,
      log: () => undefined,
      env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    });
    try {
      const config = t.dbUrl("config");
      const frozen = { seq: 1e9 };
      // The old place (a _local document of -config) is refused on the embedded server and, on
      // CouchDB where members may write _local documents, no longer read by the server.
      const local = await call("PUT", `${config}/_local/guichet-config-reload`, agent, frozen);
      if (t.kind === "embedded") refused(local, "_local checkpoint");
      const serverDb = `${t.url}/${encodeURIComponent(`guichet-${t.commune}-server`)}`;
      for (const user of [agent, supervisor]) {
        const id = "checkpoint:guichet-config-reload";
        const current = await call("GET", `${serverDb}/${id}`, supervisor);
        const rev = (current.body as { _rev?: string })._rev;
        const forged = { ...(rev ? { _rev: rev } : {}), type: "checkpoint", seq: 1e9 };
        refused(await call("PUT", `${serverDb}/${id}`, user, forged), `${user.name} server checkpoint`);
      }
      const communeDoc = await t.admin.use<{ name: string }>(t.dbName("config")).get("commune");
      await t.admin
        .use<{ name: string }>(t.dbName("config"))
        .insert({ ...communeDoc, name: "Mairie de Porte-Close" });
      await waitFor(
        "the commune's new name reaches the server",
        async () => {
          const res = await call("GET", `${server.url}/api/v1/workstation/config`, agent);
          return (res.body as { commune?: { name?: string } }).commune?.name === "Mairie de Porte-Close";
        },
        15_000,
      );
    } finally {
      await server.stop();
    }
  });

  it("locks an account out for one address after 5 failed logins, as CouchDB does", async () => {
    const victim = await t.createUser("cible", ["agent"]);
    const wrong = { name: victim.name, password: "pas-le-bon" };
    for (let i = 0; i < 3; i += 1) expect((await call("GET", main(), wrong)).status).toBe(401);
    for (let i = 0; i < 2; i += 1) {
      const res = await fetch(`${t.url}/_session`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(wrong),
      });
      expect(res.status).toBe(401);
    }
    const locked = await call("GET", main(), victim);
    expect(locked.status, JSON.stringify(locked.body)).toBe(403);
    const login = await fetch(`${t.url}/_session`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(victim).toString(),
    });
    expect(login.status).toBe(403);
    // Another account from the same address is not affected.
    expect((await call("GET", main(), agent)).status).toBe(200);
  });

  it("answers errors as JSON without a stack trace", async () => {
    const probes = [
      await fetch(`${t.url}/%E0%A4%A`),
      await fetch(`${main()}/%E0%A4%A`),
      await fetch(`${main()}/_bulk_docs`, {
        method: "POST",
        headers: { Authorization: basicAuth(agent), "Content-Type": "application/json" },
        body: '{"docs": [',
      }),
      await fetch(main(), {
        method: "POST",
        headers: {
          Authorization: basicAuth(agent),
          "Content-Type": "application/json",
          "Content-Encoding": "gzip",
        },
        body: "pas du gzip",
      }),
    ];
    for (const res of probes) {
      const text = await res.text();
      expect(res.status, text).toBeGreaterThanOrEqual(400);
      expect(text).not.toMatch(/\n\s+at |node_modules|\.js:\d+/);
      expect(res.headers.get("content-type") ?? "").not.toContain("text/html");
    }
  });

  it("embedded server: answers any method and path an attacker builds without a 5xx, and changes nothing", async (ctx) => {
    if (t.kind !== "embedded") ctx.skip();
    const db = encodeURIComponent(t.dbName("main"));
    const segment = fc.oneof(
      fc.constantFrom(
        db,
        "_replicate",
        "_users",
        "_replicator",
        "_design",
        "guichet",
        "_local",
        "guichet-config-reload",
        "_all_docs",
        "_bulk_docs",
        "_find",
        "_index",
        "_show",
        "_view",
        "_config",
        "_session",
        "org.couchdb.user%3Aadmin",
        "%2F",
        "..",
        "%2e%2e",
        "%E0%A4%A",
        "_design%2Fguichet",
        "",
      ),
      fc.string({ maxLength: 12 }).map(encodeURIComponent),
    );
    const hostileCase = fc.record({
      method: fc.constantFrom("GET", "HEAD", "POST", "PUT", "DELETE", "COPY", "PATCH", "OPTIONS"),
      path: fc.array(segment, { minLength: 0, maxLength: 4 }).map((s) => `/${s.join("/")}`),
      who: fc.constantFrom<TestUser | null>(null, agent),
      body: fc.option(
        fc.constantFrom(
          '{"docs":[{"_id":"_design/x","views":{}}]}',
          '{"_id":"_design/x"}',
          '{"source":"http://127.0.0.1:1/x","target":"_users"}',
          '{"selector":{}}',
          "{",
          "x".repeat(1000),
        ),
      ),
    });
    const dbsBefore = await t.admin.db.list();
    const ddocBefore = await ddocRev(t.dbName("main"));
    const statuses: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(hostileCase, async ({ method, path, who, body }) => {
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (who) headers.Authorization = basicAuth(who);
        const res = await fetch(`${t.url}${path}`, {
          method,
          headers,
          ...(body !== null && method !== "GET" && method !== "HEAD" ? { body } : {}),
        });
        await res.arrayBuffer();
        statuses[String(res.status)] = (statuses[String(res.status)] ?? 0) + 1;
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
      }),
      { numRuns: 150, seed: 20_261_206 },
    );
    expect(await t.admin.db.list()).toEqual(dbsBefore);
    expect(await ddocRev(t.dbName("main"))).toBe(ddocBefore);
    expect(Object.keys(statuses).some((s) => s.startsWith("2"))).toBe(true);
  });

  it("embedded server: bounds bodies, documents and _bulk_docs batches, and a push batch still passes", async (ctx) => {
    if (t.kind !== "embedded") ctx.skip();
    const huge = await fetch(`${main()}/_bulk_docs`, {
      method: "POST",
      headers: { Authorization: basicAuth(agent), "Content-Type": "application/json" },
      body: JSON.stringify({ docs: [{ _id: "x", pad: "x".repeat(9 * 1024 * 1024) }] }),
    });
    expect(huge.status).toBe(413);
    const bigDoc = buildRequest({ commune: t.commune, by: agent.name });
    const big = await call("PUT", `${main()}/${bigDoc._id}`, agent, {
      ...bigDoc,
      pad: "x".repeat(1100 * 1024),
    });
    expect(big.status).toBe(413);
    expect(errorOf(big).error).toBe("document_too_large");
    const many = Array.from({ length: 501 }, () => buildRequest({ commune: t.commune, by: agent.name }));
    const tooMany = await call("POST", `${main()}/_bulk_docs`, agent, { docs: many });
    expect(tooMany.status).toBe(413);
    const batch = many.slice(0, 250);
    const ok = await call("POST", `${main()}/_bulk_docs`, agent, { docs: batch });
    expect(ok.status, JSON.stringify(ok.body).slice(0, 300)).toBe(201);
    expect((ok.body as { error?: string }[]).filter((r) => r.error)).toEqual([]);
  });

  it("survives every request that used to stop the product, then syncs a workstation", async () => {
    const killers: [string, string, unknown?][] = [
      ["PUT", `${t.url}/anything`],
      ["DELETE", `${t.url}/x`],
      ["GET", `${t.url}/x`],
      ["POST", `${t.url}/_replicate`, { source: baitUrl, target: "_users" }],
      ["POST", `${t.url}/_replicate`, { source: baitUrl, target: t.dbName("main"), create_target: true }],
      ["PUT", `${t.url}/_users`],
      ["DELETE", `${t.url}/_users`],
    ];
    for (const { user } of callers()) {
      for (const [method, url, body] of killers) await call(method, url, user, body);
    }
    expect((await call("GET", `${t.url}/`, null)).status).toBe(200);
    expect((await call("GET", `${t.url}/_up`, null)).status).toBe(200);
    const ws = await openWorkstation({
      code: "K7M",
      commune: t.commune,
      dbUrl: main(),
      auth: { username: agent.name, password: agent.password },
    });
    try {
      const recorded = await ws.record();
      await ws.settle();
      const stored = await t.admin.use(t.dbName("main")).get(recorded.id);
      expect(stored._id).toBe(recorded.id);
    } finally {
      await ws.destroy();
    }
  });
  it("Apache CouchDB 3 behind the gateway: the same fence, and workstations sync through it", async (ctx) => {
    if (t.kind !== "couchdb") ctx.skip();
    const gw = await startCouchGateway({
      couchdbUrl: t.url,
      adminUser: t.adminUser,
      adminPassword: t.adminPassword,
      port: 0,
      corsOrigins: [],
    });
    const open: Awaited<ReturnType<typeof openWorkstation>>[] = [];
    // Earlier probes went to CouchDB directly, which lets an agent replicate from the bait.
    baitHits = 0;
    try {
      const db = `${gw.url}/${encodeURIComponent(t.dbName("main"))}`;
      for (const { who, user } of callers()) {
        const target = t.dbName("main");
        refused(await call("POST", `${gw.url}/_replicate`, user, { source: baitUrl, target }), who);
        refused(await call("POST", `${db}/_index`, user, { index: { fields: ["x"] }, ddoc: "pirate" }), who);
        refused(await call("POST", `${db}/_explain`, user, { selector: {} }), who);
        refused(await call("GET", `${db}/_local_docs`, user), who);
        if (user) {
          const ddoc = { _id: "_design/pirate", validate_doc_update: "function () {}" };
          refused(await call("PUT", `${db}/_design/pirate`, user, ddoc), `${who} design`);
          const bulk = await call("POST", `${db}/_bulk_docs`, user, { docs: [ddoc] });
          refused(bulk, `${who} design in _bulk_docs`);
        }
      }
      expect(baitHits).toBe(0);
      const victim = await t.createUser("cible-gw", ["agent"]);
      const wrong = { name: victim.name, password: "pas-le-bon" };
      for (let i = 0; i < 5; i += 1) expect((await call("GET", db, wrong)).status).toBe(401);
      expect((await call("GET", db, victim)).status).toBe(403);

      const auth = { username: agent.name, password: agent.password };
      const writer = await openWorkstation({ code: "K7N", commune: t.commune, dbUrl: db, auth });
      open.push(writer);
      const recorded = await writer.record();
      await writer.settle();
      const reader = await openWorkstation({ code: "K7P", commune: t.commune, dbUrl: db, auth });
      open.push(reader);
      await waitFor("the reader pulls the writer's request", async () =>
        (await reader.all()).some((r) => r.id === recorded.id),
      );
    } finally {
      for (const ws of open) await ws.destroy();
      await gw.stop();
    }
  });
  it("embedded server: speaks TLS on the database port when given a certificate, fenced the same", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "guichet-db-tls-"));
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      { stdio: "ignore" },
    );
    const couch = await startEmbeddedCouch({
      dataDir: path.join(dir, "data"),
      port: 0,
      corsOrigins: [],
      tls: { cert, key },
    });
    const get = (url: string, method = "GET") =>
      new Promise<number>((resolve, reject) => {
        const req = httpsRequest(url, { method, rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on("error", reject);
        req.end();
      });
    try {
      expect(couch.publicUrl).toMatch(/^https:\/\//);
      expect(await get(`${couch.publicUrl}/`)).toBe(200);
      expect(await get(`${couch.publicUrl}/_replicate`, "POST")).toBe(401);
      // Plain HTTP is not spoken on the public port.
      await expect(fetch(`http://127.0.0.1:${couch.port}/`)).rejects.toThrow();
      // The server's own clients use the loopback listener, behind the same gateway.
      expect((await fetch(`${couch.url}/`)).status).toBe(200);
      expect((await fetch(`${couch.url}/_all_dbs`)).status).toBe(401);
    } finally {
      await couch.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
