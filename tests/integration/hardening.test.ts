import { createHash, pbkdf2Sync, randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttachmentMeta, GuichetRequest, RequestEvent } from "../../domain/request";
import { communeRole } from "../../sync-server/couch/couch-roles";
import { randomPassword } from "../../sync-server/couch/secrets";
import { saveUserDoc } from "../../sync-server/couch/user-docs";
import { addUser, userProblems } from "../../sync-server/couch/users";
import { CROSS_SITE_REFUSED } from "../../sync-server/http/origin-check";
import { type GuichetServer, type GuichetServerOptions, startGuichetServer } from "../../sync-server/server";
import { HANDOVER_REFUSED } from "../../sync-server/services/handover";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { basicAuth } from "./support/http";
import { buildRequest, event, type RequestDoc, withNewEvents } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";

/**
 * Issue 22, part B, tried as an attacker would: raw HTTP only, on the embedded server and on
 * CouchDB 3 (COUCHDB_URL). Hand-over, attachments, cross-site POSTs, workstation codes, dev inbox.
 */
let t: TestCouch;
let server: GuichetServer;
let counterAgent: TestUser;
let colleague: TestUser;
let ccasAgent: TestUser;

function startServer(extra: Partial<GuichetServerOptions> = {}): Promise<GuichetServer> {
  const sa = t.bootstrapped.serviceAccounts;
  return startGuichetServer({
    couch: t.couch,
    commune: t.commune,
    port: 0,
    jobs: false,
    log: () => undefined,
    limits: { submitPerMinute: null },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    ...extra,
  });
}

/** One raw HTTP request with exactly the headers given (fetch would add or drop some). */
function raw(
  method: string,
  url: string,
  headers: Record<string, string>,
  body?: string | Buffer,
): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          type: String(res.headers["content-type"] ?? ""),
          text: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function postJson(user: TestUser | null, path: string, body: unknown, base = server.url) {
  const res = await raw(
    "POST",
    `${base}${path}`,
    { "content-type": "application/json", ...(user ? { authorization: basicAuth(user) } : {}) },
    JSON.stringify(body),
  );
  return { status: res.status, body: JSON.parse(res.text || "{}") as Record<string, unknown> };
}

const strip = (doc: RequestDoc): GuichetRequest => {
  const { _id, _rev, ...rest } = doc;
  return rest;
};

beforeAll(async () => {
  t = await startTestCouch();
  counterAgent = await t.createUser("accueil", ["agent"]);
  colleague = await t.createUser("accueil2", ["agent"]);
  ccasAgent = await t.createUser("ccas", ["service_agent"], ["ccas"]);
  server = await startServer();
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await t?.stop();
});

describe("hand-over of sensitive requests", () => {
  const ccasDb = () => t.admin.use<RequestDoc>(t.dbName("sensitive", "ccas"));
  const handOver = (user: TestUser, request: GuichetRequest) =>
    postJson(user, "/api/v1/handovers", { requests: [request] });
  const resultOf = (reply: { body: Record<string, unknown> }) =>
    (reply.body.results as { id: string; ok: boolean; reason?: string }[])[0];

  it("refuses a counter agent cancelling a CCAS request they cannot read, with the same words as for an unknown id", async () => {
    // Recorded by the CCAS itself: the counter agent never created nor touched it.
    const stored = buildRequest({ commune: t.commune, by: ccasAgent.name, demarche: "ccas_aide" });
    await ccasDb().insert(stored);
    const cancel = event("status", counterAgent.name, { from: "received", to: "cancelled" });
    const forged = withNewEvents({ ...stored, createdBy: counterAgent.name }, cancel);

    const attack = await handOver(counterAgent, strip(forged));
    expect(attack.status).toBe(200);
    expect(resultOf(attack)).toEqual({ id: stored.id, ok: false, reason: HANDOVER_REFUSED });
    const after = await ccasDb().get(stored.id);
    expect(after.status).toBe("received");
    expect(after.events.map((e) => e.id)).toEqual(stored.events.map((e) => e.id));

    // The same attempt on an id that does not exist, created by someone else: the same answer.
    const unknown = buildRequest({ commune: t.commune, by: ccasAgent.name, demarche: "ccas_aide" });
    const probe = await handOver(counterAgent, strip(withNewEvents(unknown, cancel)));
    expect(resultOf(probe)).toEqual({ id: unknown.id, ok: false, reason: HANDOVER_REFUSED });
    // And a colleague's request differs from the stored one in a field: still the same answer.
    const fieldProbe = await handOver(counterAgent, { ...strip(forged), subject: "Autre objet" });
    expect(resultOf(fieldProbe)?.reason).toBe(HANDOVER_REFUSED);
  });

  it("checks a status change against the stored status, not the `from` the agent claims", async () => {
    const mine = buildRequest({ commune: t.commune, by: counterAgent.name, demarche: "ccas_aide" });
    expect(resultOf(await handOver(counterAgent, strip(mine)))?.ok).toBe(true);

    // Stored: « received ». Claiming « assigned → incomplete » is refused, whatever the role allows.
    const lie = event("status", counterAgent.name, {
      from: "assigned",
      to: "incomplete",
      missingPieces: ["Avis d'imposition"],
    });
    const refused = await handOver(counterAgent, strip(withNewEvents(mine, lie)));
    expect(resultOf(refused)).toEqual({ id: mine.id, ok: false, reason: HANDOVER_REFUSED });
    expect((await ccasDb().get(mine.id)).status).toBe("received");

    const truth = event("status", counterAgent.name, {
      from: "received",
      to: "incomplete",
      missingPieces: ["Avis d'imposition"],
    });
    expect(resultOf(await handOver(counterAgent, strip(withNewEvents(mine, truth))))?.ok).toBe(true);
    expect((await ccasDb().get(mine.id)).status).toBe("incomplete");
  });

  it("keeps the stored content and events: the agent's copy only adds events with new ids", async () => {
    const mine = buildRequest({ commune: t.commune, by: counterAgent.name, demarche: "ccas_aide" });
    expect(resultOf(await handOver(counterAgent, strip(mine)))?.ok).toBe(true);
    const stored = await ccasDb().get(mine.id);

    const created = stored.events[0] as RequestEvent;
    const note = event("note", counterAgent.name, { text: "Rappel le 12." });
    const tampered: GuichetRequest = {
      ...strip(withNewEvents(stored, note)),
      citizen: { ...stored.citizen, lastName: "Remplacé" },
      fields: { nature: "autre", situation: "Réécrit par le poste" },
      // An existing event rewritten, and a projection that the events do not give.
      events: [
        { ...created, at: "2001-01-01T00:00:00.000Z" },
        ...withNewEvents(stored, note).events.slice(1),
      ],
      status: "closed",
      open: false,
    };
    expect(resultOf(await handOver(counterAgent, tampered))?.ok).toBe(true);

    const after = await ccasDb().get(mine.id);
    expect(after.citizen.lastName).toBe(stored.citizen.lastName);
    expect(after.fields).toEqual(stored.fields);
    expect(after.events.find((e) => e.id === created.id)).toEqual(created);
    expect(after.events.map((e) => e.id)).toEqual([...stored.events.map((e) => e.id), note.id]);
    expect(after).toMatchObject({ status: "received", open: true });
  });

  it("stores a new request with the projection its events give, not the one sent", async () => {
    const mine = buildRequest({ commune: t.commune, by: counterAgent.name, demarche: "ccas_aide" });
    const forged = { ...strip(mine), status: "closed" as const, open: false, assignee: "x" };
    expect(resultOf(await handOver(counterAgent, forged))?.ok).toBe(true);
    expect(await ccasDb().get(mine.id)).toMatchObject({ status: "received", open: true, assignee: "" });
  });
});

describe("attachments", () => {
  const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
  const scan = Buffer.from("%PDF-1.4\n% Justificatif de ressources confidentiel\n%%EOF\n");
  const meta: AttachmentMeta = {
    id: "piece-ressources",
    name: "ressources.pdf",
    mime: "application/pdf",
    size: scan.length,
    sha256: sha(scan),
  };
  const url = (id: string) => `${server.url}/api/v1/requests/${id}/attachments/${meta.sha256}`;
  /** What the agent's replica pushes: a PUT into the main database with their own account. */
  const record = (user: TestUser, doc: RequestDoc) =>
    raw(
      "PUT",
      `${t.url}/${encodeURIComponent(t.dbName("main"))}/${doc.id}`,
      { authorization: basicAuth(user), "content-type": "application/json" },
      JSON.stringify(doc),
    );

  it("are served only through the request that uploaded them: the same SHA-256 on another request gets nothing", async () => {
    const owner = { ...buildRequest({ commune: t.commune, by: counterAgent.name }), attachments: [meta] };
    expect((await record(counterAgent, owner)).status).toBe(201);
    const put = await raw(
      "PUT",
      url(owner.id),
      { authorization: basicAuth(counterAgent), "content-type": "application/pdf" },
      scan,
    );
    expect(put.status).toBe(201);
    expect((await raw("GET", url(owner.id), { authorization: basicAuth(counterAgent) })).text).toBe(
      scan.toString("utf8"),
    );

    // The colleague knows the hash (a mail, a log) and records a request that declares it.
    const thief = { ...buildRequest({ commune: t.commune, by: colleague.name }), attachments: [meta] };
    expect((await record(colleague, thief)).status).toBe(201);
    const stolen = await raw("GET", url(thief.id), { authorization: basicAuth(colleague) });
    expect(stolen.status).toBe(404);
    expect(stolen.text).not.toContain("Justificatif");
    // The owner's request still serves it, to anyone who may read that request.
    expect((await raw("GET", url(owner.id), { authorization: basicAuth(colleague) })).status).toBe(200);
  });
});

describe("cross-site POSTs", () => {
  const followUp = "numero=ABCDEFGH&email=x%40example.org";
  const form = { "content-type": "application/x-www-form-urlencoded" };

  it("refuses a portal form posted from another site with 403 and a French page", async () => {
    const attempts: Record<string, string>[] = [
      { origin: "https://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      { "sec-fetch-site": "same-site" },
      // A page cannot hide behind a spoofed Origin: Sec-Fetch-Site is what the browser says.
      { "sec-fetch-site": "cross-site", origin: server.url },
    ];
    for (const headers of attempts) {
      const res = await raw("POST", `${server.url}/suivi`, { ...form, ...headers }, followUp);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(res.type).toContain("text/html");
      expect(res.text).toContain("Action refusée");
      expect(res.text).toContain("depuis le site de la mairie");
    }
  });

  it("refuses cross-site POSTs on the JSON API and Open311 with a French JSON error", async () => {
    for (const path of ["/api/v1/requests", "/api/v1/follow-up", "/open311/v2/requests.json"]) {
      const res = await raw(
        "POST",
        `${server.url}${path}`,
        { "content-type": "application/json", origin: "https://evil.example" },
        "{}",
      );
      expect(res.status, path).toBe(403);
      expect(res.text).toContain(CROSS_SITE_REFUSED.slice(0, 30));
    }
  });

  it("lets same-origin pages, opened pages, the public address and non-browser clients through", async () => {
    const own = new URL(server.url).origin;
    const allowed: Record<string, string>[] = [
      { "sec-fetch-site": "same-origin", origin: own },
      { "sec-fetch-site": "none" },
      { origin: own },
      {},
    ];
    for (const headers of allowed) {
      const res = await raw("POST", `${server.url}/suivi`, { ...form, ...headers }, followUp);
      // Answered by the form (not found, or a field to correct), not by the guard.
      expect([200, 422], JSON.stringify(headers)).toContain(res.status);
    }
    const proxied = await startServer({ publicUrl: "https://mairie.example.fr" });
    try {
      const res = await raw(
        "POST",
        `${proxied.url}/suivi`,
        { ...form, origin: "https://mairie.example.fr" },
        followUp,
      );
      expect([200, 422]).toContain(res.status);
    } finally {
      await proxied.stop();
    }
  });
});

describe("workstation codes", () => {
  const ask = (user: TestUser, name = "Poste") =>
    raw(
      "POST",
      `${server.url}/api/v1/workstations`,
      { authorization: basicAuth(user), "content-type": "application/json" },
      JSON.stringify({ name }),
    );

  it("are handed out at a bounded rate per agent: 30 a day, then a French error", async () => {
    // As fast as the server answers, one after the other.
    const replies: Awaited<ReturnType<typeof ask>>[] = [];
    for (let i = 0; i < 32; i++) replies.push(await ask(counterAgent));
    expect(replies.slice(0, 30).every((r) => r.status === 201)).toBe(true);
    for (const r of replies.slice(30)) {
      expect(r.status).toBe(429);
      expect(r.text).toContain("Trop de codes de poste demandés");
      expect(r.text).toContain("pour un compte");
    }
    // Another agent still gets one.
    expect((await ask(colleague)).status).toBe(201);
  }, 60_000);

  it("are handed out at a bounded rate per server, whatever the number of agents", async () => {
    const own = await startServer({ limits: { workstationCodes: { perAgent: 3, overall: 5 } } });
    try {
      const askOwn = (user: TestUser) =>
        raw(
          "POST",
          `${own.url}/api/v1/workstations`,
          { authorization: basicAuth(user), "content-type": "application/json" },
          JSON.stringify({ name: "Poste" }),
        );
      const replies: Awaited<ReturnType<typeof askOwn>>[] = [];
      for (const user of [counterAgent, colleague, ccasAgent]) {
        for (let i = 0; i < 3; i++) replies.push(await askOwn(user));
      }
      expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 429, 429, 429, 429]);
      // The third agent never had a code: the commune's quota refused it.
      expect(replies[8]?.text).toContain("pour la commune");
    } finally {
      await own.stop();
    }
  });
});

describe("dev inbox and SMTP sink", () => {
  const submission = {
    demarche: "demande_generale",
    fields: { message: "Question." },
    citizen: {
      firstName: "Paul",
      lastName: "Martin",
      email: "paul.martin@example.org",
      address: { line: "5 avenue Foch", postcode: "69006", city: "Lyon" },
    },
  };

  it("exist in demo mode on loopback", async () => {
    expect((await raw("GET", `${server.url}/dev/inbox`, {})).status).toBe(200);
    expect(server.smtp.sink).toBeDefined();
  });

  it("do not exist in real mode: mails wait in the outbox", async () => {
    // Alone on the database: the demo-mode server of the other tests would send it through its sink.
    await server.stop();
    const real = await startServer({ dev: false });
    try {
      expect(real.smtp.sink).toBeUndefined();
      expect((await raw("GET", `${real.url}/dev/inbox`, {})).status).toBe(404);
      const res = await postJson(null, "/api/v1/requests", submission, real.url);
      expect(res.status).toBe(201);
      const id = String(res.body.trackingNumber).replace(/\W/g, "");
      const claimId = `outbox:${id}:registration`;
      const state = t.admin.use(serverDatabaseName(t.commune));
      const claim = await waitFor("la tentative d'envoi", async () => {
        const doc = (await state.get(claimId).catch(() => null)) as { lastError?: string } | null;
        return doc?.lastError ? (doc as unknown as { state: string; lastError: string }) : null;
      });
      expect(claim.state).toBe("pending");
      expect(claim.lastError).toContain("SMTP_URL");
    } finally {
      await real.stop();
      server = await startServer();
    }
  });

  it("do not exist on a non-loopback address or behind a reverse proxy, even in demo mode", async () => {
    for (const extra of [{ host: "0.0.0.0" }, { trustProxy: true }]) {
      const s = await startServer(extra);
      try {
        expect(s.smtp.sink, JSON.stringify(extra)).toBeUndefined();
        const port = new URL(s.url).port;
        expect((await raw("GET", `http://127.0.0.1:${port}/dev/inbox`, {})).status).toBe(404);
      } finally {
        await s.stop();
      }
    }
  });
});

describe("passwords", () => {
  const users = () => t.admin.use<Record<string, unknown>>("_users");
  const userDoc = (name: string) => users().get(`org.couchdb.user:${name}`);
  const session = (user: TestUser) =>
    raw("GET", `${t.url}/_session`, { authorization: basicAuth(user), accept: "application/json" });
  const postSession = (user: TestUser) =>
    raw(
      "POST",
      `${t.url}/_session`,
      { "content-type": "application/json", accept: "application/json" },
      JSON.stringify({ name: user.name, password: user.password }),
    );
  /** The logged-in name: `userCtx.name` of GET /_session, `name` of POST /_session. */
  const nameOf = (reply: { text: string }) => {
    const body = JSON.parse(reply.text) as { name?: string | null; userCtx?: { name?: string | null } };
    return body.userCtx?.name ?? body.name ?? null;
  };

  /** A user stored as the embedded server stored everyone before: PBKDF2-SHA1, 10 iterations. */
  async function weakUser(name: string): Promise<TestUser> {
    const user = { name: `${name}.${t.commune}`, password: randomPassword() };
    const salt = randomBytes(16).toString("hex");
    await users().insert({
      _id: `org.couchdb.user:${user.name}`,
      type: "user",
      name: user.name,
      roles: [communeRole(t.commune)],
      password_scheme: "pbkdf2",
      iterations: 10,
      salt,
      derived_key: pbkdf2Sync(user.password, salt, 10, 20, "sha1").toString("hex"),
    });
    return user;
  }

  it("stores new passwords with PBKDF2-SHA256 and at least 600,000 iterations, never in clear", async () => {
    const doc = await userDoc(counterAgent.name);
    expect(doc).toMatchObject({ password_scheme: "pbkdf2", pbkdf2_prf: "sha256" });
    expect(Number(doc.iterations)).toBeGreaterThanOrEqual(600_000);
    expect(doc.password).toBeUndefined();
    expect(String(doc.derived_key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("upgrades a weak stored hash at the next successful login, with Basic auth and with _session", async () => {
    for (const [label, login] of [
      ["basic", session],
      ["_session", postSession],
    ] as const) {
      const user = await weakUser(`faible-${label.replace(/\W/g, "")}`);
      // A wrong password changes nothing.
      expect((await login({ ...user, password: `${user.password}x` })).status).toBe(401);
      expect(await userDoc(user.name)).toMatchObject({ iterations: 10 });

      const ok = await login(user);
      expect(ok.status, label).toBe(200);
      expect(nameOf(ok)).toBe(user.name);
      const upgraded = await waitFor(`hash renforcé (${label})`, async () => {
        const doc = await userDoc(user.name);
        return doc.pbkdf2_prf === "sha256" ? doc : null;
      });
      expect(Number(upgraded.iterations)).toBeGreaterThanOrEqual(600_000);
      // Same password still accepted, a wrong one still refused.
      expect(nameOf(await session(user))).toBe(user.name);
      expect((await session({ ...user, password: "mauvais-mot-de-passe" })).status).toBe(401);
    }
  });

  it("verifies a Basic password once, then answers from its cache until the password changes", async () => {
    const user = await t.createUser("cache", ["agent"]);
    expect(nameOf(await session(user))).toBe(user.name);
    const started = Date.now();
    for (let i = 0; i < 20; i++) expect(nameOf(await session(user))).toBe(user.name);
    const perRequest = (Date.now() - started) / 20;
    // One PBKDF2 of 600,000 iterations costs about 0.5 s here: 20 of them would take 10 s.
    expect(perRequest).toBeLessThan(100);

    const doc = await userDoc(user.name);
    const newPassword = randomPassword();
    await users().insert({ ...doc, password: newPassword });
    await waitFor("ancien mot de passe refusé", async () => (await session(user)).status === 401);
    expect(nameOf(await session({ ...user, password: newPassword }))).toBe(user.name);
  });

  it("refuses self sign-up in _users, anonymous or by an agent, and any agent's write to their own account document", async () => {
    const newcomer = (name: string) => ({
      _id: `org.couchdb.user:${name}`,
      type: "user",
      name,
      roles: [],
      password: randomPassword(),
    });
    const anonymous = await raw(
      "PUT",
      `${t.url}/_users/org.couchdb.user:intrus-${t.commune}`,
      { "content-type": "application/json" },
      JSON.stringify(newcomer(`intrus-${t.commune}`)),
    );
    expect([401, 403]).toContain(anonymous.status);
    const byAgent = await raw(
      "PUT",
      `${t.url}/_users/org.couchdb.user:complice-${t.commune}`,
      { "content-type": "application/json", authorization: basicAuth(colleague) },
      JSON.stringify(newcomer(`complice-${t.commune}`)),
    );
    expect([401, 403]).toContain(byAgent.status);
    const viaBulk = await raw(
      "POST",
      `${t.url}/_users/_bulk_docs`,
      { "content-type": "application/json" },
      JSON.stringify({ docs: [newcomer(`lot-${t.commune}`)] }),
    );
    expect(viaBulk.text).not.toContain('"ok":true');
    for (const name of [`intrus-${t.commune}`, `complice-${t.commune}`, `lot-${t.commune}`]) {
      await expect(userDoc(name)).rejects.toMatchObject({ statusCode: 404 });
    }

    // The account's own document. The app has no screen for it (the administrator sets passwords
    // with user:add); PouchDB Server lets a member update it (its _auth rules keep the roles),
    // CouchDB 3 keeps `_users` to server admins altogether.
    const doc = await userDoc(colleague.name);
    const changed = { ...doc, password: randomPassword() };
    const put = await raw(
      "PUT",
      `${t.url}/_users/org.couchdb.user:${colleague.name}`,
      { "content-type": "application/json", authorization: basicAuth(colleague) },
      JSON.stringify(changed),
    );
    // Refused on both: CouchDB 3 keeps `_users` to server admins, and the embedded server's gateway
    // lets an account only read its own document.
    expect([401, 403]).toContain(put.status);
    expect((await userDoc(colleague.name)).roles).toEqual(doc.roles);
  });

  it("asks for 12 characters at least whenever a password is set", async () => {
    const short = { name: `court.${t.commune}`, password: "onze-carac", roles: ["agent" as const] };
    expect(userProblems(short)).toContain("Mot de passe trop court : 12 caractères au minimum.");
    await expect(addUser(t.couch, { ...short, commune: t.commune })).rejects.toThrow(/trop court/);
    // Service accounts too (GUICHET_PORTAL_PASSWORD, GUICHET_SERVER_PASSWORD go through the same write).
    await expect(
      saveUserDoc(t.couch, { name: short.name, roles: [], password: short.password }, undefined),
    ).rejects.toThrow(/trop court/);
    await expect(userDoc(short.name)).rejects.toMatchObject({ statusCode: 404 });
  });

  it.runIf(process.env.COUCHDB_URL)(
    "sets CouchDB's [chttpd_auth] hashing on every node: SHA-256, 600,000 iterations, upgrade on login",
    async () => {
      const { all_nodes } = (await t.admin.request({ path: "_membership" })) as { all_nodes: string[] };
      for (const node of all_nodes) {
        const section = (await t.admin.request({
          path: `_node/${encodeURIComponent(node)}/_config/chttpd_auth`,
        })) as Record<string, string>;
        expect(section, node).toMatchObject({
          pbkdf2_prf: "sha256",
          iterations: "600000",
          upgrade_hash_on_auth: "true",
        });
      }
    },
  );
});
