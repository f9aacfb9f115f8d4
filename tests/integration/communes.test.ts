import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_COMMUNE } from "../../domain/commune";
import { addCommune, listCommuneDetails } from "../../sync-server/communes/commune-commands";
import { deleteCommune } from "../../sync-server/communes/delete-commune";
import { registerCommune } from "../../sync-server/communes/registry";
import { type BootstrapResult, bootstrap } from "../../sync-server/couch/bootstrap";
import { COMMUNE_DOC_ID } from "../../sync-server/couch/config-docs";
import { databaseNames } from "../../sync-server/couch/database-names";
import { randomPassword } from "../../sync-server/couch/secrets";
import { canLogIn } from "../../sync-server/couch/user-docs";
import { addUser } from "../../sync-server/couch/users";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { Tokens, tokenKey } from "../../sync-server/services/tokens";
import { basicAuth, call } from "./support/http";
import { buildRequest } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";
import { openWorkstation } from "./support/workstation";

// Three communes on one database server and one Guichet process: A (the default commune), B (by
// host name and by /c/<id>/) and C (by /c/<id>/). Every account of B, through every door, is
// refused by every database of A; A keeps working while B is bootstrapped again and deleted.

const NAMES = { b: "Mairie de Bé-sur-Test", c: "Mairie de Cé-les-Essais" };
const B_HOST = "mairie-b.example.test";

let t: TestCouch;
let server: GuichetServer;
let A: string;
let B: string;
let C: string;
let bootB: BootstrapResult;
const attackers: Record<string, TestUser> = {};

async function makeUser(
  commune: string,
  name: string,
  roles: Parameters<typeof addUser>[1]["roles"],
  services: string[] = [],
) {
  const user = { name: `${name}.${commune}`, password: randomPassword() };
  await addUser(t.couch, { ...user, roles, services, commune });
  return user;
}

/** One GET through node:http, so the Host header is the one given (fetch would not let us set it). */
function getWithHost(url: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

beforeAll(async () => {
  t = await startTestCouch();
  A = t.commune;
  B = `${A}-b`;
  C = `${A}-c`;
  bootB = await bootstrap(t.couch, {
    ...DEMO_COMMUNE,
    id: B,
    name: NAMES.b,
    email: "accueil@be.example.test",
  });
  await bootstrap(t.couch, { ...DEMO_COMMUNE, id: C, name: NAMES.c });
  const sa = t.bootstrapped.serviceAccounts;
  server = await startGuichetServer({
    couch: t.couch,
    commune: A,
    port: 0,
    jobs: false,
    log: (m) => {
      if (process.env.COMMUNES_DEBUG && !m.startsWith("[bootstrap]")) console.log(m.slice(0, 400));
    },
    followUpMinDelayMs: 0,
    limits: { submitPerMinute: null },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
  });
  await registerCommune(t.couch, B, { hosts: [B_HOST] });
  await registerCommune(t.couch, C);
  await server.communes.reload();

  attackers.agent = await makeUser(B, "agent", ["agent"]);
  attackers.ccas = await makeUser(B, "ccas", ["service_agent"], ["ccas"]);
  attackers.police = await makeUser(B, "police", ["service_agent"], ["police_municipale"]);
  attackers.supervisor = await makeUser(B, "chef", ["supervisor"]);
  attackers.admin = await makeUser(B, "admin", ["admin"]);
  attackers.portal = bootB.serviceAccounts.portal;
  attackers.server = bootB.serviceAccounts.server;

  // Something to read in each of A's request databases.
  const doc = buildRequest({ commune: A, by: t.adminUser });
  await t.admin.use(t.dbName("main")).insert(doc as never);
  const ccas = buildRequest({ commune: A, by: t.adminUser, demarche: "ccas_aide" });
  await t.admin.use(t.dbName("sensitive", "ccas")).insert(ccas as never);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  for (const id of [B, C]) if (id) await deleteCommune(t.couch, id).catch(() => undefined);
  await t?.stop();
});

/** Every way into a database, as CouchDB and PouchDB Server expose them. */
function doors(
  db: string,
  user: TestUser,
): { label: string; method: string; path: string; body?: unknown }[] {
  const p = encodeURIComponent(db);
  // A valid immediate answer in the attacker's own name: only membership can stop it in a -log.
  const entry = {
    type: "contact_log",
    at: "2026-03-10T09:00:00Z",
    by: user.name,
    workstation: "K7M",
    channel: "guichet",
    reason: "Horaires",
  };
  return [
    { label: "info", method: "GET", path: p },
    { label: "GET doc", method: "GET", path: `${p}/commune` },
    { label: "PUT doc", method: "PUT", path: `${p}/intrus`, body: entry },
    { label: "_all_docs", method: "GET", path: `${p}/_all_docs?include_docs=true` },
    { label: "_changes", method: "GET", path: `${p}/_changes?include_docs=true` },
    { label: "_find", method: "POST", path: `${p}/_find`, body: { selector: {} } },
    { label: "_explain", method: "POST", path: `${p}/_explain`, body: { selector: {} } },
    { label: "_index", method: "POST", path: `${p}/_index`, body: { index: { fields: ["intrus"] } } },
    { label: "_bulk_get", method: "POST", path: `${p}/_bulk_get`, body: { docs: [{ id: "commune" }] } },
    {
      label: "_bulk_docs",
      method: "POST",
      path: `${p}/_bulk_docs`,
      body: { docs: [{ _id: "intrus", ...entry }] },
    },
    { label: "_revs_diff", method: "POST", path: `${p}/_revs_diff`, body: { commune: ["1-x"] } },
    { label: "_local_docs", method: "GET", path: `${p}/_local_docs` },
    { label: "PUT _local", method: "PUT", path: `${p}/_local/intrus`, body: { x: 1 } },
  ];
}

describe("an install from before communes were named", () => {
  it("is brought forward by bootstrap: roles renamed, shared service accounts replaced", async () => {
    const D = `${A}-d`;
    const users = t.admin.use<{ roles: string[]; name: string }>("_users");
    const put = async (name: string, roles: string[], password = randomPassword()) => {
      const id = `org.couchdb.user:${name}`;
      const old = await users.get(id).catch(() => undefined);
      await users.insert({
        _id: id,
        ...(old ? { _rev: old._rev } : {}),
        type: "user",
        name,
        roles,
        password,
      } as never);
      return { name, password };
    };
    // What bootstrap and user:add wrote before: unqualified roles, `portal` shared by every commune.
    const person = await put(`ancien.${D}`, [
      `guichet:commune:${D}`,
      "guichet:service_agent",
      "guichet:service:ccas",
      "guichet:sensitive:ccas",
    ]);
    const sharedPortal = await put("portal", ["guichet:portal", `guichet:commune:${D}`]);
    try {
      const boot = await bootstrap(t.couch, D);
      const migrated = await users.get(`org.couchdb.user:${person.name}`);
      expect(migrated.roles.sort()).toEqual(
        [
          `guichet:${D}:member`,
          `guichet:${D}:service_agent`,
          `guichet:${D}:service:ccas`,
          `guichet:${D}:sensitive:ccas`,
        ].sort(),
      );
      // The person keeps the password and now opens D's CCAS database (and nothing of A).
      expect((await call("GET", `${t.url}/guichet-${D}-s-ccas/_all_docs`, person)).status).toBe(200);
      expect((await call("GET", `${t.dbUrl("sensitive", "ccas")}/_all_docs`, person)).status).toBe(403);
      await expect(users.get("org.couchdb.user:portal")).rejects.toMatchObject({ statusCode: 404 });
      expect(boot.changes.join("\n")).toContain("Ancien compte de service partagé « portal » supprimé.");
      expect(await canLogIn(t.url, sharedPortal.name, sharedPortal.password)).toBe(false);
      // A second run finds nothing left to migrate.
      const again = await bootstrap(t.couch, D);
      expect(again.changes.filter((c) => /Ancien|renommés/.test(c))).toEqual([]);
    } finally {
      await deleteCommune(t.couch, D);
      const left = await users.get("org.couchdb.user:portal").catch(() => undefined);
      if (left) await users.destroy(left._id, left._rev);
    }
  }, 60_000);
});

describe("communes on one server", () => {
  it("give every account of B the roles of B only, named with B", async () => {
    for (const [label, user] of Object.entries(attackers)) {
      const doc = await t.admin.use<{ roles: string[] }>("_users").get(`org.couchdb.user:${user.name}`);
      expect(doc.roles.length, label).toBeGreaterThan(0);
      for (const role of doc.roles) expect(role.startsWith(`guichet:${B}:`), `${label}: ${role}`).toBe(true);
    }
    expect(bootB.serviceAccounts.portal.name).toBe(`guichet-${B}-portal`);
    expect(bootB.serviceAccounts.portal.password).not.toBe(t.bootstrapped.serviceAccounts.portal.password);
  });

  it("let B's accounts into B (the control: their credentials work)", async () => {
    for (const [label, user] of Object.entries(attackers)) {
      const own = await call("GET", `${t.url}/guichet-${B}/_all_docs`, user);
      expect(own.status, label).toBe(200);
    }
    const ccas = await call("GET", `${t.url}/guichet-${B}-s-ccas/_all_docs`, attackers.ccas ?? null);
    expect(ccas.status).toBe(200);
  });

  it("refuse every account of B in every database of A, through every door", async () => {
    const aDatabases = [...t.bootstrapped.databases.all, serverDatabaseName(A)];
    const leaks: string[] = [];
    for (const [label, user] of Object.entries(attackers)) {
      for (const db of aDatabases) {
        for (const door of doors(db, user)) {
          const reply = await call(door.method, `${t.url}/${door.path}`, user, door.body);
          if (reply.status !== 401 && reply.status !== 403)
            leaks.push(`${label} ${door.label} ${db}: ${reply.status}`);
        }
      }
    }
    expect(leaks.join("\n")).toBe("");
  }, 120_000);

  it("refuse B's accounts at A's JSON API and hand-over, by default path and by /c/<A>/", async () => {
    const handover = buildRequest({ commune: A, by: attackers.agent?.name ?? "", demarche: "ccas_aide" });
    for (const base of [server.url, `${server.url}/c/${A}`]) {
      for (const [label, user] of Object.entries(attackers)) {
        const config = await call("GET", `${base}/api/v1/workstation/config`, user);
        expect(config.status, `${label} config`).toBe(403);
        const admin = await call("GET", `${base}/api/v1/admin/demarches`, user);
        expect(admin.status, `${label} admin`).toBe(403);
        const given = await call("POST", `${base}/api/v1/handovers`, user, handover);
        expect([401, 403], `${label} handover`).toContain(given.status);
      }
    }
    // The same accounts do reach B's API, where they belong.
    const own = await call("GET", `${server.url}/c/${B}/api/v1/workstation/config`, attackers.agent ?? null);
    expect(own.status).toBe(200);
    expect((own.body as { databases: { main: string } }).databases.main).toBe(`guichet-${B}`);
    const byHost = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/v1/workstation/config`, {
        headers: { host: B_HOST, authorization: basicAuth(attackers.agent as TestUser) },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
    expect(byHost).toBe(200);
  });

  it("answer each commune's portal with its own name, by host name and by prefix", async () => {
    const home = await fetch(`${server.url}/`);
    const aPage = await home.text();
    expect(aPage).toContain(DEMO_COMMUNE.name);
    const bByHost = await getWithHost(`${server.url}/`, B_HOST);
    expect(bByHost.status).toBe(200);
    expect(bByHost.text).toContain(NAMES.b);
    const bByPrefix = await fetch(`${server.url}/c/${B}/`);
    expect(await bByPrefix.text()).toContain(NAMES.b);
    const cPage = await (await fetch(`${server.url}/c/${C}/`)).text();
    expect(cPage).toContain(NAMES.c);
    expect(cPage).not.toContain(NAMES.b);
    // Links stay under the commune's prefix.
    expect(cPage).toContain(`href="/c/${C}/suivi"`);
    expect((await fetch(`${server.url}/c/inconnue-x/`)).status).toBe(404);
    const api = (await (await fetch(`${server.url}/c/${C}/api/v1/catalogue`)).json()) as unknown;
    expect(api).toBeTruthy();
  });

  it("map Open311's jurisdiction_id to the commune, and require it at the shared address", async () => {
    // Several communes behind the default address: GeoReport v2 needs jurisdiction_id (400 otherwise).
    const missing = await fetch(`${server.url}/open311/v2/services.xml`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("<code>400</code>");
    const unknown = await fetch(`${server.url}/open311/v2/services.json?jurisdiction_id=inconnue-x`);
    expect(unknown.status).toBe(404);
    expect((await fetch(`${server.url}/open311/v2/services.json?jurisdiction_id=${B}`)).status).toBe(200);
    // A signalement posted for B lands in B's database, never in A's.
    const body = new URLSearchParams({
      jurisdiction_id: B,
      service_code: "signalement_voirie",
      description: "Nid-de-poule devant l'école",
      address_string: "2 rue de l'École",
      first_name: "Paul",
      last_name: "Martin",
      email: `o311.${B}@example.org`,
    });
    const posted = await fetch(`${server.url}/open311/v2/requests.json`, { method: "POST", body });
    expect(posted.status, await posted.clone().text()).toBe(201);
    const [first] = (await posted.json()) as { service_request_id: string }[];
    const compact = (first?.service_request_id ?? "").replace("-", "");
    expect(await t.admin.use(`guichet-${B}`).get(compact)).toBeTruthy();
    await expect(t.admin.use(t.dbName("main")).get(compact)).rejects.toMatchObject({ statusCode: 404 });
    // At B's own address the commune is known: no jurisdiction_id needed.
    expect((await fetch(`${server.url}/c/${B}/open311/v2/services.json`)).status).toBe(200);
  });

  it("send each commune's accusés from its own name and address", async () => {
    const email = `citoyen.${B}@example.org`;
    const res = await fetch(`${server.url}/c/${B}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        demarche: "demande_generale",
        fields: { message: "Question à Bé." },
        citizen: {
          firstName: "Paul",
          lastName: "Martin",
          email,
          phone: "06 12 34 56 78",
          address: { line: "5 avenue Foch", postcode: "69006", city: "Lyon" },
        },
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    expect(await t.admin.use(`guichet-${B}`).get(id)).toBeTruthy();
    await expect(t.admin.use(t.dbName("main")).get(id)).rejects.toMatchObject({ statusCode: 404 });
    const mail = await waitFor(
      "l'accusé de B",
      () => server.smtp.messages().find((m) => m.to.includes(email)),
      20_000,
    );
    expect(mail.from).toContain("be.example.test");
    expect(mail.raw).toContain(`/c/${B}/suivi`);
    // A follow-up link signed for commune A, naming this id, shows nothing at B's portal.
    const aToken = new Tokens(tokenKey(t.couch.dataDir)).sign("suivi", id, 600);
    expect((await fetch(`${server.url}/c/${B}/suivi/r/${aToken}`)).status).toBe(404);
  }, 60_000);

  it("serve a commune added while the server runs, and stop serving it once deleted, without restart", async () => {
    const E = `${A}-e`;
    await bootstrap(t.couch, { ...DEMO_COMMUNE, id: E, name: "Mairie d'Euh" });
    await registerCommune(t.couch, E);
    try {
      // No reload(): the server follows the registry's changes feed.
      await waitFor(
        "la commune ajoutée",
        async () => (await fetch(`${server.url}/c/${E}/`)).status === 200,
        20_000,
      );
      expect(await (await fetch(`${server.url}/c/${E}/`)).text()).toContain("Mairie d&#39;Euh");
    } finally {
      await deleteCommune(t.couch, E);
    }
    await waitFor(
      "la commune supprimée",
      async () => (await fetch(`${server.url}/c/${E}/`)).status === 404,
      20_000,
    );
  }, 60_000);

  it("start a commune that could not start once the host mends it, with no registry change", async () => {
    const G = `${A}-g`;
    // A settings document the server cannot read: the commune's start fails.
    const config = databaseNames(G).config;
    await t.admin.db.create(config);
    const broken = await t.admin.use(config).insert({ _id: COMMUNE_DOC_ID, name: 42 } as never);
    await registerCommune(t.couch, G);
    try {
      await new Promise((r) => setTimeout(r, 3_000));
      expect((await fetch(`${server.url}/c/${G}/`)).status).toBe(404);
      // Mended: the server tries again on its own.
      await t.admin.use(config).destroy(COMMUNE_DOC_ID, broken.rev);
      await waitFor(
        "la commune réparée",
        async () => (await fetch(`${server.url}/c/${G}/`)).status === 200,
        45_000,
      );
    } finally {
      await deleteCommune(t.couch, G);
    }
  }, 90_000);

  it("add a commune with one command: its portal address, its administrator, its listing", async () => {
    const F = `${A}-f`;
    try {
      const added = await addCommune(t.couch, {
        id: F,
        name: "Mairie de Fé",
        hosts: ["Mairie-F.example.test"],
        serverUrl: server.url,
      });
      expect(added.portalUrl).toBe("https://mairie-f.example.test/");
      if (!("password" in added.admin)) throw new Error("administrateur non créé");
      const admin = { name: added.admin.name, password: added.admin.password };
      await server.communes.reload();
      expect((await call("GET", `${server.url}/c/${F}/api/v1/admin/demarches`, admin)).status).toBe(200);
      expect((await call("GET", `${server.url}/api/v1/admin/demarches`, admin)).status).toBe(403);
      expect((await getWithHost(`${server.url}/`, "mairie-f.example.test")).text).toContain("Mairie de Fé");
      const again = await addCommune(t.couch, { id: F, serverUrl: server.url });
      expect(again.admin).toEqual({ name: admin.name, existed: true });
      const listed = (await listCommuneDetails(t.couch, A, server.url)).find((c) => c.id === F);
      expect(listed).toMatchObject({ name: "Mairie de Fé" });
      expect(listed?.databases).toContain(`guichet-${F}-s-ccas`);
      expect(listed?.accounts.sort()).toEqual(
        [admin.name, `guichet-${F}-portal`, `guichet-${F}-server`].sort(),
      );
      expect(listed?.access).toContain("https://mairie-f.example.test/");
    } finally {
      await deleteCommune(t.couch, F);
    }
  }, 60_000);

  it("keep A working while B is bootstrapped again and deleted", async () => {
    const aAgent = await t.createUser("agent-a", ["agent"]);
    const ws = await openWorkstation({
      code: "A7K",
      commune: A,
      dbUrl: t.dbUrl("main"),
      auth: { username: aAgent.name, password: aAgent.password },
    });
    const submit = async (lastName: string) => {
      const res = await fetch(`${server.url}/api/v1/requests`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          demarche: "demande_generale",
          fields: { message: "Question." },
          citizen: {
            firstName: "Paul",
            lastName,
            email: "paul.martin@example.org",
            phone: "06 12 34 56 78",
            address: { line: "5 avenue Foch", postcode: "69006", city: "Lyon" },
          },
        }),
      });
      return res.status;
    };
    try {
      expect(await submit("Avant")).toBe(201);
      await ws.record({ lastName: "Guichet-avant" });
      await ws.settle();

      const again = await bootstrap(t.couch, B);
      expect(again.serviceAccounts.portal.password).toBe(bootB.serviceAccounts.portal.password);
      expect(await submit("Pendant")).toBe(201);

      await deleteCommune(t.couch, B);
      await server.communes.reload();
      expect(server.communes.ids()).not.toContain(B);
      expect((await fetch(`${server.url}/c/${B}/`)).status).toBe(404);
      expect((await getWithHost(`${server.url}/`, B_HOST)).text).toContain(DEMO_COMMUNE.name);
      const all = (await t.admin.db.list()) as string[];
      expect(all.filter((n) => n.startsWith(`guichet-${B}`))).toEqual([]);
      expect(all).toContain(`guichet-${C}`);
      expect(await canLogIn(t.url, attackers.agent?.name ?? "", attackers.agent?.password ?? "")).toBe(false);

      expect(await submit("Après")).toBe(201);
      await ws.record({ lastName: "Guichet-après" });
      await ws.settle();
      for (const account of Object.values(t.bootstrapped.serviceAccounts))
        expect(await canLogIn(t.url, account.name, account.password), account.name).toBe(true);
      const names = await waitFor(
        "les demandes de A",
        async () => {
          const rows = await t.admin.use(t.dbName("main")).list({ include_docs: true });
          const found = rows.rows.map((r) => JSON.stringify(r.doc));
          const wanted = ["Avant", "Pendant", "Après", "Guichet-avant", "Guichet-après"];
          return wanted.every((w) => found.some((f) => f.includes(`"lastName":"${w}"`))) ? wanted : undefined;
        },
        10_000,
      );
      expect(names).toHaveLength(5);
      // C was not touched either.
      expect((await (await fetch(`${server.url}/c/${C}/`)).text()).includes(NAMES.c)).toBe(true);
    } finally {
      await ws.destroy();
    }
  }, 120_000);
});
