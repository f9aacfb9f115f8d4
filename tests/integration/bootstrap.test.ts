import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bootstrap, VALIDATION_DDOC_ID } from "../../sync-server/couch/bootstrap";
import { addUser } from "../../sync-server/couch/users";
import { call } from "./support/http";
import { buildRequest } from "./support/requests";
import {
  cleanUpCouchdb,
  startTestCouch,
  TEST_CORS_ORIGIN,
  type TestCouch,
  type TestUser,
} from "./support/test-couch";

type Security = { admins: { roles: string[] }; members: { roles: string[] } };

describe("bootstrap of a commune", () => {
  let t: TestCouch;
  let agent: TestUser;
  const serviceAccountEnv = () => ({
    GUICHET_PORTAL_PASSWORD: t.bootstrapped.serviceAccounts.portal.password,
    GUICHET_SERVER_PASSWORD: t.bootstrapped.serviceAccounts.server.password,
  });

  beforeAll(async () => {
    t = await startTestCouch();
    agent = await t.createUser("agent", ["agent"]);
  });
  afterAll(async () => {
    await t?.stop();
  });

  async function snapshot() {
    const out: Record<string, { security: unknown; ddocRevs: Record<string, string> }> = {};
    for (const name of t.bootstrapped.databases.all) {
      const security = await t.admin.request({ db: name, path: "_security" });
      const ddocs = await t.admin.use(name).list({ startkey: "_design/", endkey: "_design0" });
      out[name] = { security, ddocRevs: Object.fromEntries(ddocs.rows.map((r) => [r.id, r.value.rev])) };
    }
    return out;
  }

  it("creates every database with explicit, never empty, _security", async () => {
    const names = t.bootstrapped.databases;
    expect(names.all.sort()).toEqual(
      [
        `guichet-${t.commune}`,
        `guichet-${t.commune}-config`,
        `guichet-${t.commune}-log`,
        `guichet-${t.commune}-s-ccas`,
        `guichet-${t.commune}-s-police_municipale`,
      ].sort(),
    );
    for (const name of names.all) {
      const security = (await t.admin.request({ db: name, path: "_security" })) as Security;
      expect(security.members.roles.length, name).toBeGreaterThan(0);
      // No role is a database admin: only the server administrator writes design documents.
      expect(security.admins).toEqual({ names: [], roles: [] });
      const ddoc = await t.admin.use(name).get(VALIDATION_DDOC_ID);
      expect(ddoc).toHaveProperty("validate_doc_update");
    }
    const ccas = (await t.admin.request({ db: names.sensitive.ccas ?? "", path: "_security" })) as Security;
    expect(ccas.members.roles).toContain(`guichet:${t.commune}:sensitive:ccas`);
    expect(ccas.members.roles).not.toContain(`guichet:${t.commune}:member`);
  });

  it("is idempotent: a second run changes nothing (same revisions, same _security)", async () => {
    const before = await snapshot();
    const again = await bootstrap(t.couch, t.commune, undefined, { env: serviceAccountEnv() });
    expect(again.changes).toEqual([]);
    expect(await snapshot()).toEqual(before);
    // Each database has its validation function and its Mango indexes.
    expect(Object.keys(before[t.dbName("main")]?.ddocRevs ?? {}).sort()).toEqual(
      [
        "_design/guichet",
        "_design/idx-ar",
        "_design/idx-open-updated",
        "_design/idx-status-due",
        "_design/idx-tracking",
      ].sort(),
    );
  });

  it("writes the commune settings and the catalogue into -config", async () => {
    const config = t.admin.use(t.dbName("config"));
    const commune = (await config.get("commune")) as unknown as { type: string; id: string };
    expect(commune).toMatchObject({ type: "commune", id: t.commune });
    const ccas = (await config.get("service:ccas")) as unknown as { sensitive: boolean };
    expect(ccas.sensitive).toBe(true);
    expect(await config.get("demarche:acte_naissance")).toMatchObject({
      type: "demarche",
      service: "etat_civil",
    });
  });

  it("answers 401 to anonymous reads of every database", async () => {
    for (const name of t.bootstrapped.databases.all) {
      const reply = await call("GET", `${t.url}/${name}`, null);
      expect(reply.status, name).toBe(401);
      const docs = await call("GET", `${t.url}/${name}/_all_docs`, null);
      expect(docs.status, name).toBe(401);
    }
  });

  it("lists databases to server admins only (their names are commune names)", async () => {
    expect((await call("GET", `${t.url}/_all_dbs`, null)).status).toBe(401);
    expect((await call("GET", `${t.url}/_all_dbs`, agent)).status).toBe(401);
    const asAdmin = await call("GET", `${t.url}/_all_dbs`, { name: t.adminUser, password: t.adminPassword });
    expect(asAdmin.body).toEqual(expect.arrayContaining([t.dbName("main")]));
  });

  it("lets members read, and keeps sensitive databases to their service and supervisors", async () => {
    for (const kind of ["main", "config", "log"] as const) {
      expect((await call("GET", t.dbUrl(kind), agent)).status, kind).toBe(200);
    }
    expect((await call("GET", t.dbUrl("sensitive", "ccas"), agent)).status).toBe(403);
    const ccasAgent = await t.createUser("ccas", ["service_agent"], ["ccas"]);
    expect((await call("GET", t.dbUrl("sensitive", "ccas"), ccasAgent)).status).toBe(200);
    expect((await call("GET", t.dbUrl("sensitive", "police_municipale"), ccasAgent)).status).toBe(403);
    const supervisor = await t.createUser("chef", ["supervisor"]);
    for (const service of ["ccas", "police_municipale"]) {
      expect((await call("GET", t.dbUrl("sensitive", service), supervisor)).status, service).toBe(200);
    }
  });

  it("answers 403 to an agent of another commune", async () => {
    const other = `it-${randomBytes(5).toString("hex")}`;
    const result = await bootstrap(t.couch, other, undefined, { env: serviceAccountEnv() });
    const stranger = { name: `agent.${other}`, password: "un-mot-de-passe" };
    try {
      await addUser(t.couch, { ...stranger, roles: ["agent"], commune: other });
      expect((await call("GET", `${t.url}/${result.databases.main}`, stranger)).status).toBe(200);
      for (const name of t.bootstrapped.databases.all) {
        expect((await call("GET", `${t.url}/${name}`, stranger)).status, name).toBe(403);
      }
      const write = await call("PUT", `${t.dbUrl("main")}/AAAAAAAA`, stranger, { type: "request" });
      expect(write.status).toBe(403);
    } finally {
      await cleanUpCouchdb(t.couch, result, [stranger.name]);
    }
  });

  it("creates the portal and server accounts, which can log in", async () => {
    for (const account of Object.values(t.bootstrapped.serviceAccounts)) {
      const reply = await call("GET", t.dbUrl("main"), account);
      expect(reply.status, account.name).toBe(200);
    }
    const users = t.admin.use<{ roles: string[] }>("_users");
    const portal = await users.get(`org.couchdb.user:guichet-${t.commune}-portal`);
    expect(portal.roles.sort()).toEqual([`guichet:${t.commune}:member`, `guichet:${t.commune}:portal`]);
  });

  it("gives service agents their service roles, and the sensitive role for a sensitive service", async () => {
    const user = await t.createUser("social", ["service_agent"], ["ccas", "accueil"]);
    const doc = await t.admin.use<{ roles: string[] }>("_users").get(`org.couchdb.user:${user.name}`);
    expect(doc.roles.sort()).toEqual(
      [
        `guichet:${t.commune}:member`,
        `guichet:${t.commune}:service_agent`,
        `guichet:${t.commune}:service:accueil`,
        `guichet:${t.commune}:service:ccas`,
        `guichet:${t.commune}:sensitive:ccas`,
      ].sort(),
    );
    await expect(t.createUser("sans-service", ["service_agent"])).rejects.toThrow(/au moins un service/);
    await expect(t.createUser("inconnu", ["agent"], ["piscine"])).rejects.toThrow(
      /Service « piscine » inconnu/,
    );
  });

  it("embedded server: answers CORS preflights for the configured origin only", async (ctx) => {
    if (t.kind !== "embedded") ctx.skip();
    const preflight = (origin: string) =>
      fetch(t.dbUrl("main"), {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization",
        },
      });
    const ok = await preflight(TEST_CORS_ORIGIN);
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-origin")).toBe(TEST_CORS_ORIGIN);
    expect(ok.headers.get("access-control-allow-credentials")).toBe("true");
    expect(ok.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    const other = await preflight("https://pirate.example");
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const get = await fetch(t.dbUrl("main"), { headers: { origin: TEST_CORS_ORIGIN } });
    expect(get.headers.get("access-control-allow-origin")).toBe(TEST_CORS_ORIGIN);
  });

  it("embedded server: keeps data, accounts and rules across a restart on the same port", async (ctx) => {
    if (t.kind !== "embedded") ctx.skip();
    const doc = buildRequest({ commune: t.commune, by: agent.name });
    expect((await call("PUT", `${t.dbUrl("main")}/${doc._id}`, agent, doc)).status).toBe(201);
    const url = t.url;
    await t.restart();
    expect(t.couch.url).toBe(url);
    expect((await call("GET", `${t.dbUrl("main")}/${doc._id}`, agent)).status).toBe(200);
    expect((await call("GET", t.dbUrl("main"), null)).status).toBe(401);
    const forged = { ...buildRequest({ commune: t.commune, by: "quelqu-un" }) };
    expect((await call("PUT", `${t.dbUrl("main")}/${forged._id}`, agent, forged)).status).toBe(403);
  });
});
