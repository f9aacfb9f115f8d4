import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isWorkstationCode } from "../../domain/tracking-number";
import { type GuichetServer, type GuichetServerOptions, startGuichetServer } from "../../sync-server/server";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";

function startServer(tc: TestCouch, extra: Partial<GuichetServerOptions> = {}): Promise<GuichetServer> {
  const sa = tc.bootstrapped.serviceAccounts;
  return startGuichetServer({
    couch: tc.couch,
    commune: tc.commune,
    port: 0,
    jobs: false,
    log: () => undefined,
    limits: { submitPerMinute: null },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    ...extra,
  });
}

const VALID = {
  demarche: "demande_generale",
  fields: { message: "Question." },
  citizen: {
    firstName: "Paul",
    lastName: "Martin",
    email: "paul.martin@example.org",
    phone: "06 12 34 56 78",
    address: { line: "5 avenue Foch", postcode: "69006", city: "Lyon" },
  },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths of the valid submission, each with a value that can never be valid there. */
const wrongValue = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue(), { maxKeys: 3 }),
);
const STRING_PATHS = [
  ["demarche"],
  ["fields", "message"],
  ["citizen", "firstName"],
  ["citizen", "lastName"],
  ["citizen", "email"],
  ["citizen", "address", "postcode"],
  ["citizen", "address", "city"],
];
const REQUIRED_PATHS = [
  ["demarche"],
  ["citizen"],
  ["fields", "message"],
  ["citizen", "email"],
  ["citizen", "address"],
];

function setPath(obj: Json, path: string[], value: Json | undefined): Json {
  const copy = structuredClone(obj) as Record<string, Json>;
  let node = copy;
  for (const k of path.slice(0, -1)) node = node[k] as Record<string, Json>;
  const last = path[path.length - 1] ?? "";
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const malformedSubmission = fc.oneof(
  // Anything at all (arrays, numbers, strings, random objects).
  fc.jsonValue().map((v) => ({ body: JSON.stringify(v), type: "application/json" })),
  // A valid submission with one string replaced by a wrong type.
  fc
    .tuple(fc.constantFrom(...STRING_PATHS), wrongValue)
    .map(([p, v]) => ({ body: JSON.stringify(setPath(VALID, p, v as Json)), type: "application/json" })),
  // ... or with a string that breaks a rule (control characters, length, bad email / postcode).
  fc
    .tuple(
      fc.constantFrom(...STRING_PATHS.filter((p) => p[0] !== "fields")),
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 20 }).map((s) => `${s}\n${s}`),
        fc.constant("x".repeat(5_001)),
        fc.constant(""),
      ),
    )
    .map(([p, v]) => ({ body: JSON.stringify(setPath(VALID, p, v)), type: "application/json" })),
  // ... or with a required member removed.
  fc
    .constantFrom(...REQUIRED_PATHS)
    .map((p) => ({ body: JSON.stringify(setPath(VALID, p, undefined)), type: "application/json" })),
  // ... or with a member the schema does not know.
  fc
    .tuple(
      fc.constantFrom([], ["citizen"], ["fields"], ["citizen", "address"]),
      fc.string({ minLength: 1, maxLength: 8 }),
      fc.jsonValue(),
    )
    .filter(
      ([, k]) =>
        ![
          "demarche",
          "fields",
          "citizen",
          "location",
          "filedBy",
          "attachments",
          "message",
          "firstName",
          "lastName",
          "email",
          "phone",
          "address",
          "line",
          "postcode",
          "city",
        ].includes(k),
    )
    .map(([p, k, v]) => ({
      body: JSON.stringify(setPath(VALID, [...p, k], v as Json)),
      type: "application/json",
    })),
  // Not JSON, or not announced as JSON.
  fc.string({ maxLength: 200 }).map((s) => ({ body: `{${s}`, type: "application/json" })),
  fc
    .tuple(
      fc.constantFrom("text/plain", "application/xml", "application/x-www-form-urlencoded", ""),
      fc.string(),
    )
    .map(([type, s]) => ({ body: s, type })),
);

describe("JSON API robustness and the counters' API", () => {
  let tc: TestCouch;
  let server: GuichetServer;
  let agent: TestUser;
  let supervisor: TestUser;

  beforeAll(async () => {
    tc = await startTestCouch();
    server = await startServer(tc);
    agent = await tc.createUser("agent", ["agent"]);
    supervisor = await tc.createUser("encadrant", ["supervisor"]);
  });
  afterAll(async () => {
    await server?.stop();
    await tc?.stop();
  });

  const countRequests = async () =>
    (await tc.admin.use(tc.dbName("main")).list()).rows.filter((r) => !r.id.startsWith("_design/")).length;
  const basic = (u: TestUser) => `Basic ${Buffer.from(`${u.name}:${u.password}`).toString("base64")}`;

  it("tells an agent whose account CouchDB locked so, in French, rather than 'wrong password'", async () => {
    const victim = await tc.createUser("verrouille", ["agent"]);
    // Different wrong passwords: the API caches a refusal a few seconds by header.
    const wrong = (i: number) => `Basic ${Buffer.from(`${victim.name}:pas-le-bon-${i}`).toString("base64")}`;
    const config = (authorization: string) =>
      fetch(`${server.url}/api/v1/workstation/config`, { headers: { Authorization: authorization } });
    for (let i = 0; i < 5; i++) expect((await config(wrong(i))).status).toBe(401);
    const res = await config(basic(victim));
    // CouchDB 3.4 locks the account after 5 failures (chttpd_auth_lockout); the embedded server's
    // gateway does the same (sync-server/couch/gateway/login-lockout.ts).
    expect(res.status).toBe(403);
    expect(((await res.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/bloqué/);
  });

  it("answers 2,000 malformed submissions with a 4xx and a French message, storing nothing", async () => {
    const before = await countRequests();
    const seen = new Map<number, number>();
    const check = async (url: string, body: string, type: string) => {
      const res = await fetch(url, { method: "POST", body, headers: type ? { "content-type": type } : {} });
      seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status < 400 || res.status >= 500) throw new Error(`${res.status} pour ${body.slice(0, 200)}`);
      return text;
    };
    await fc.assert(
      fc.asyncProperty(malformedSubmission, async ({ body, type }) => {
        const text = await check(`${server.url}/api/v1/requests`, body, type);
        const parsed = JSON.parse(text) as { errors: { field: string; message: string }[] };
        expect(parsed.errors.length).toBeGreaterThan(0);
        for (const e of parsed.errors) {
          expect(typeof e.field).toBe("string");
          expect(e.message.length).toBeGreaterThan(3);
          // French, not zod's English defaults.
          expect(e.message).not.toMatch(/\b(Invalid|Expected|Required|received)\b/);
        }
      }),
      { numRuns: 1_600 },
    );
    // The other doors: Open311 and the HTML form, with random form fields.
    const formFields = fc.dictionary(
      fc.constantFrom(
        "service_code",
        "lat",
        "long",
        "email",
        "first_name",
        "last_name",
        "description",
        "address_string",
        "nom",
        "email",
        "champ_message",
      ),
      fc.string({ maxLength: 30 }),
    );
    await fc.assert(
      fc.asyncProperty(formFields, fc.boolean(), async (fields, open311) => {
        // No email at all or no name: never a valid submission.
        const { email: _e, first_name: _f, prenom: _p, ...rest } = fields as Record<string, string>;
        const body = new URLSearchParams(rest).toString();
        const url = open311
          ? `${server.url}/open311/v2/requests.json`
          : `${server.url}/demarches/demande_generale`;
        const text = await check(url, body, "application/x-www-form-urlencoded");
        if (open311)
          expect((JSON.parse(text) as { description: string }[])[0]?.description.length).toBeGreaterThan(3);
        else expect(text).toContain('class="erreur"');
      }),
      { numRuns: 400 },
    );
    expect(await countRequests()).toBe(before);
    expect([...seen.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    expect(seen.get(422)).toBeGreaterThan(100);
    expect(seen.get(400)).toBeGreaterThan(50);
    expect(seen.get(415)).toBeGreaterThan(10);
  });

  it("gives a counter its configuration with the agent's own CouchDB credentials only", async () => {
    const anonymous = await fetch(`${server.url}/api/v1/workstation/config`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { errors: { message: string }[] }).errors[0]?.message).toContain(
      "Identifiez-vous",
    );
    const wrong = await fetch(`${server.url}/api/v1/workstation/config`, {
      headers: { authorization: basic({ name: agent.name, password: "mauvais-mot-de-passe" }) },
    });
    expect(wrong.status).toBe(401);

    const res = await fetch(`${server.url}/api/v1/workstation/config`, {
      headers: { authorization: basic(agent) },
    });
    expect(res.status).toBe(200);
    const config = (await res.json()) as {
      commune: { id: string };
      couchUrl: string;
      databases: { main: string; log: string; config: string; sensitive: Record<string, string> };
      catalogue: { demarches: unknown[] };
    };
    expect(config.commune.id).toBe(tc.commune);
    expect(config.couchUrl).toBe(tc.url);
    expect(config.databases).toMatchObject({
      main: tc.dbName("main"),
      log: tc.dbName("log"),
      config: tc.dbName("config"),
    });
    expect(config.databases.sensitive).toEqual({}); // an agent d'accueil holds no sensitive role
    expect(config.catalogue.demarches.length).toBeGreaterThan(5);

    const sup = (await (
      await fetch(`${server.url}/api/v1/workstation/config`, {
        headers: { authorization: basic(supervisor) },
      })
    ).json()) as { databases: { sensitive: Record<string, string> } };
    expect(Object.keys(sup.databases.sensitive).sort()).toEqual(["ccas", "police_municipale"]);

    // The portal's service account is not staff.
    const portal = tc.bootstrapped.serviceAccounts.portal;
    const asPortal = await fetch(`${server.url}/api/v1/workstation/config`, {
      headers: { authorization: basic({ name: portal.name, password: portal.password }) },
    });
    expect(asPortal.status).toBe(403);
  });

  it("allocates unique workstation codes, never the server's, recording who asked and when", async () => {
    const ask = (name: string) =>
      fetch(`${server.url}/api/v1/workstations`, {
        method: "POST",
        headers: { authorization: basic(agent), "content-type": "application/json" },
        body: JSON.stringify({ name }),
      });
    const other = await startServer(tc, { instanceId: "other" });
    try {
      const results = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          (i % 2 === 0
            ? ask(`Poste ${i}`)
            : fetch(`${other.url}/api/v1/workstations`, {
                method: "POST",
                headers: { authorization: basic(agent), "content-type": "application/json" },
                body: JSON.stringify({ name: `Poste ${i}` }),
              })
          ).then(async (r) => ({ status: r.status, body: (await r.json()) as { code: string } })),
        ),
      );
      expect(results.every((r) => r.status === 201)).toBe(true);
      const codes = results.map((r) => r.body.code);
      expect(new Set(codes).size).toBe(24);
      for (const c of codes) {
        expect(isWorkstationCode(c)).toBe(true);
        expect(c.startsWith("W3")).toBe(false);
      }
      const record = (await tc.admin
        .use(serverDatabaseName(tc.commune))
        .get(`workstation:${codes[0]}`)) as unknown as {
        name: string;
        createdBy: string;
        createdAt: string;
      };
      expect(record.createdBy).toBe(agent.name);
      expect(record.name).toMatch(/^Poste \d+$/);
      expect(Date.parse(record.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      await other.stop();
    }
    const bad = await ask("");
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe("name");
  });

  it("keeps an uploaded file server-side, by content, and gives it to agents only", async () => {
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from("photo du lampadaire"),
    ]);
    const res = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ...VALID,
        attachments: [{ name: "lampadaire.png", contentBase64: png.toString("base64") }],
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const stored = (await tc.admin.use(tc.dbName("main")).get(id)) as unknown as {
      attachments: { sha256: string; mime: string }[];
    };
    const meta = stored.attachments[0];
    expect(meta?.mime).toBe("image/png");
    const url = `${server.url}/api/v1/requests/${id}/attachments/${meta?.sha256}`;
    expect((await fetch(url)).status).toBe(401);
    const file = await fetch(url, { headers: { authorization: basic(agent) } });
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await file.arrayBuffer()).equals(png)).toBe(true);

    // A file whose bytes are not what its name says is refused.
    const fake = await fetch(`${server.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        ...VALID,
        attachments: [
          { name: "photo.png", contentBase64: Buffer.from("<svg onload=alert(1)>").toString("base64") },
        ],
      }),
    });
    expect(fake.status).toBe(422);
    expect(((await fake.json()) as { errors: { field: string }[] }).errors[0]?.field).toBe("attachments");
  });
});
