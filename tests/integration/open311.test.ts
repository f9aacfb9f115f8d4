import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Demarche } from "../../domain/catalogue";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import type { GuichetRequest } from "../../domain/request";
import { MAX_TRACKING_SEQUENCE } from "../../domain/tracking-number";
import { type Open311Commune, open311Router, renderOpen311Error } from "../../sync-server/api/open311";
import { BulkWriter } from "../../sync-server/couch/bulk-writer";
import { readCommuneConfig } from "../../sync-server/couch/config-docs";
import { couchServer } from "../../sync-server/couch/couch-db";
import { createApp } from "../../sync-server/http/app";
import { listen } from "../../sync-server/http/listen";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { ApiKeys, apiKeyDatabaseName } from "../../sync-server/services/api-keys";
import { AttachmentStore } from "../../sync-server/services/attachment-store";
import { BlockCounter } from "../../sync-server/services/counter";
import type { IntakeDeps } from "../../sync-server/services/intake";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { basicAuth, call } from "./support/http";
import { event, withNewEvents } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";

/** Element names of the GeoReport v2 specification's examples (wiki.open311.org/GeoReport_v2). */
const SPEC = {
  service: ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
  attribute: [
    "variable",
    "code",
    "datatype",
    "required",
    "datatype_description",
    "order",
    "description",
    "values",
  ],
  value: ["key", "name"],
  created: ["service_request_id", "service_notice", "account_id", "token"],
  request: [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
  ],
  error: ["code", "description"],
  discovery: ["changeset", "contact", "key_service", "endpoints"],
  endpoint: ["specification", "url", "changeset", "type", "formats"],
};
const LISTS = ["service", "request", "error", "attribute", "value", "endpoint", "format"];
const parser = new XMLParser({ parseTagValue: false, isArray: (name) => LISTS.includes(name) });

type Xml = Record<string, unknown>;
type Answer = { status: number; type: string; text: string };

async function get(url: string): Promise<Answer> {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** An XML answer: declared UTF-8, served as XML, parsed. */
function xml(a: Answer): Xml {
  expect(a.type).toBe("text/xml; charset=utf-8");
  expect(a.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
  expect(XMLValidator.validate(a.text)).toBe(true);
  return parser.parse(a.text) as Xml;
}

function json<T = unknown>(a: Answer): T {
  expect(a.type).toBe("application/json; charset=utf-8");
  return JSON.parse(a.text) as T;
}

const keysOf = (o: unknown): string[] => Object.keys(o as object).sort();

/** XML text of a JSON value (numbers, booleans and null as an XML parser without typing sees them). */
const asText = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

function sameItem(fromXml: Xml, fromJson: Record<string, unknown>): void {
  expect(keysOf(fromXml)).toEqual(keysOf(fromJson));
  for (const [k, v] of Object.entries(fromJson)) {
    if (typeof v !== "object" || v === null) expect(fromXml[k], k).toBe(asText(v));
  }
}

function subsetOf(names: string[], spec: string[]): void {
  for (const n of names) expect(spec, `élément ${n} hors spécification`).toContain(n);
}

// A small but real PNG header: the server sniffs the type from the content.
const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(200, 7)]);

function photoForm(fields: Record<string, string>, photo?: Buffer): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (photo)
    form.append("media", new Blob([new Uint8Array(photo)], { type: "image/png" }), "nid-de-poule.png");
  return form;
}

const CITIZEN = {
  service_code: "signalement_voirie",
  lat: "48.8566",
  long: "2.3522",
  address_string: "12 rue de la République",
  description: "Nid-de-poule devant l'école.",
  email: "marie.curie@example.org",
  first_name: "Marie",
  last_name: "Curie",
};

describe("Open311 GeoReport v2: XML and JSON, discovery, jurisdictions, API keys, media", () => {
  let tc: TestCouch;
  let server: GuichetServer;
  let admin: TestUser;
  let agent: TestUser;
  let o: string;

  beforeAll(async () => {
    tc = await startTestCouch();
    const sa = tc.bootstrapped.serviceAccounts;
    server = await startGuichetServer({
      couch: tc.couch,
      commune: tc.commune,
      port: 0,
      jobs: false,
      log: () => undefined,
      limits: { submitPerMinute: 1000 },
      env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    });
    admin = await tc.createUser("o311-admin", ["admin"]);
    agent = await tc.createUser("o311-agent", ["agent"]);
    o = `${server.url}/open311/v2`;
  });
  afterAll(async () => {
    await server?.stop();
    // On a shared CouchDB, stop() removes the bootstrapped databases; this one is Open311's own.
    if (tc?.kind === "couchdb")
      await tc.admin.db.destroy(apiKeyDatabaseName(tc.commune)).catch(() => undefined);
    await tc?.stop();
  });

  const issueKey = async (application: string): Promise<{ id: string; key: string }> => {
    const r = await call("POST", `${server.url}/api/v1/admin/api-keys`, admin, { application });
    expect(r.status).toBe(201);
    return r.body as { id: string; key: string };
  };
  const requireKeys = async (requireKey: boolean) => {
    const r = await call("PUT", `${server.url}/api/v1/admin/api-keys/settings`, admin, { requireKey });
    expect(r.status).toBe(200);
  };

  it("answers services, a service definition and discovery in both formats, with the specification's names", async () => {
    const servicesJson = json<Record<string, unknown>[]>(await get(`${o}/services.json`));
    const servicesXml = xml(await get(`${o}/services.xml`));
    const items = (servicesXml.services as Xml).service as Xml[];
    expect(items.map((s) => s.service_code).sort()).toEqual([
      "signalement_eclairage",
      "signalement_proprete",
      "signalement_voirie",
    ]);
    expect(items).toHaveLength(servicesJson.length);
    servicesJson.forEach((s, i) => {
      subsetOf(keysOf(s), SPEC.service);
      sameItem(items[i] as Xml, s);
    });
    expect(items[0]?.metadata).toBe("true");
    expect(items[0]?.type).toBe("realtime");

    // An admin adds attributes to a service (a list and a yes/no): attributes > attribute > values > value.
    const code = "signalement_eclairage";
    const listing = await call("GET", `${server.url}/api/v1/admin/demarches`, admin);
    const current = (listing.body as { demarches: Demarche[] }).demarches.find((d) => d.id === code);
    if (!current) throw new Error(`${code} absent du catalogue`);
    const { version, sensitive: _s, ...rest } = current;
    const saved = await call("PUT", `${server.url}/api/v1/admin/demarches/${code}`, admin, {
      ...rest,
      baseVersion: version,
      fields: [
        ...current.fields,
        {
          key: "gravite",
          label: "Gravité",
          kind: "select",
          required: true,
          options: [
            { value: "panne", label: "Lampadaire éteint" },
            { value: "danger", label: "Câble à nu" },
          ],
        },
        { key: "nuit", label: "Constaté la nuit", kind: "boolean", required: false, help: "Oui ou non" },
      ],
    });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    await waitFor("le nouveau catalogue", async () =>
      (await get(`${o}/services/${code}.json`)).text.includes("gravite"),
    );
    const defJson = json<{ service_code: string; attributes: Record<string, unknown>[] }>(
      await get(`${o}/services/${code}.json`),
    );
    const defXml = xml(await get(`${o}/services/${code}.xml`)).service_definition as Xml;
    expect(defXml.service_code).toBe(code);
    const attrs = (defXml.attributes as Xml).attribute as Xml[];
    expect(attrs.length).toBe(defJson.attributes.length);
    expect(attrs.map((a) => a.code)).toEqual(["gravite", "nuit"]);
    expect(attrs[0]).toMatchObject({ datatype: "singlevaluelist", required: "true", order: "1" });
    defJson.attributes.forEach((a, i) => {
      subsetOf(keysOf(a), SPEC.attribute);
      sameItem(attrs[i] as Xml, a);
      if (Array.isArray(a.values)) {
        const values = ((attrs[i] as Xml).values as Xml).value as Xml[];
        expect(values.map((v) => v.key)).toEqual(a.values.map((v: { key: string }) => v.key));
        for (const v of values) subsetOf(keysOf(v), SPEC.value);
      }
    });

    for (const url of [`${server.url}/open311/discovery`, `${o}/discovery`]) {
      const dj = json<Record<string, unknown> & { endpoints: Record<string, unknown>[] }>(
        await get(`${url}.json`),
      );
      const dx = xml(await get(`${url}.xml`)).discovery as Xml;
      expect(keysOf(dj)).toEqual([...SPEC.discovery].sort());
      expect(keysOf(dx)).toEqual([...SPEC.discovery].sort());
      const endpoint = ((dx.endpoints as Xml).endpoint as Xml[])[0] as Xml;
      expect(keysOf(endpoint)).toEqual([...SPEC.endpoint].sort());
      expect(endpoint.specification).toBe("http://wiki.open311.org/GeoReport_v2");
      expect(endpoint.url).toBe(`${server.url}/open311/v2`);
      expect(endpoint.type).toBe("production");
      expect((endpoint.formats as Xml).format).toEqual(["text/xml", "application/json"]);
      expect(dj.endpoints[0]?.formats).toEqual(["text/xml", "application/json"]);
      expect(dj.changeset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(dx.changeset).toBe(dj.changeset);
    }
  });

  it("round-trips in XML: services, definition, POST with a photo and a key, read back, filtered lists, media_url after the check", async () => {
    const app = await issueKey("Signal'Ville");
    await requireKeys(true);
    try {
      const services = xml(await get(`${o}/services.xml?jurisdiction_id=${tc.commune}`));
      expect(((services.services as Xml).service as Xml[]).length).toBe(3);
      xml(await get(`${o}/services/signalement_voirie.xml`));

      const post = await fetch(`${o}/requests.xml`, {
        method: "POST",
        body: photoForm({ ...CITIZEN, api_key: app.key, jurisdiction_id: tc.commune }, PNG),
      });
      const postAnswer = {
        status: post.status,
        type: post.headers.get("content-type") ?? "",
        text: await post.text(),
      };
      expect(postAnswer.status, postAnswer.text).toBe(201);
      const created = ((xml(postAnswer).service_requests as Xml).request as Xml[])[0] as Xml;
      subsetOf(keysOf(created), SPEC.created);
      const id = String(created.service_request_id);
      expect(id).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);

      // The application that posted is on the request, for the agents.
      const stored = (await tc.admin
        .use(tc.dbName("main"))
        .get(id.replace("-", ""))) as unknown as GuichetRequest;
      expect(stored.events.find((e) => e.kind === "application_filed")).toMatchObject({
        keyId: app.id,
        application: "Signal'Ville",
        by: tc.bootstrapped.serviceAccounts.portal.name,
      });
      expect(stored.attachments).toHaveLength(1);

      const readBack = async () =>
        ((xml(await get(`${o}/requests/${id}.xml`)).service_requests as Xml).request as Xml[])[0] as Xml;
      const before = await readBack();
      subsetOf(keysOf(before), SPEC.request);
      expect(before).toMatchObject({
        service_request_id: id,
        status: "open",
        service_code: "signalement_voirie",
        address: "12 rue de la République",
        lat: "48.8566",
        long: "2.3522",
      });
      // Not checked by an agent yet: no URL, and the photo's address (if guessed) answers 404.
      expect(before.media_url).toBeUndefined();
      const sha = stored.attachments[0]?.sha256 ?? "";
      const guessed = `${o}/media/${tc.commune}/${stored.id}/${sha}.png`;
      expect((await fetch(guessed)).status).toBe(404);

      // The server records its accusés on the request meanwhile: once they are there, the agent's
      // edits below meet only the rules they test (PouchDB Server validates against the newest
      // revision before it sees a stale one, so a late accusé gave another refusal).
      await waitFor("accusés enregistrés", async () => {
        const doc = (await tc.admin.use(tc.dbName("main")).get(stored.id)) as unknown as GuichetRequest;
        return ["registration_sent", "ar_sent"].every((k) => doc.events.some((e) => e.kind === k));
      });
      // An agent checks the photo and publishes it (a history event, checked by the database).
      const docUrl = `${tc.dbUrl("main")}/${stored.id}`;
      const asAgent = { authorization: basicAuth(agent), "content-type": "application/json" };
      const current = (await (await fetch(docUrl, { headers: asAgent })).json()) as GuichetRequest & {
        _id: string;
        _rev: string;
      };
      const bogus = withNewEvents(current, event("media_published", agent.name, { sha256: "0".repeat(64) }));
      expect(
        (await fetch(docUrl, { method: "PUT", headers: asAgent, body: JSON.stringify(bogus) })).status,
      ).toBe(403);
      // Nor may an agent claim an application posted it: only the portal, at creation.
      const claimed = withNewEvents(
        current,
        event("application_filed", agent.name, { keyId: app.id, application: "Fausse appli" }),
      );
      const claim = await fetch(docUrl, { method: "PUT", headers: asAgent, body: JSON.stringify(claimed) });
      expect(claim.status).toBe(403);
      expect(await claim.text()).toMatch(/seul le portail indique/);
      const published = withNewEvents(current, event("media_published", agent.name, { sha256: sha }));
      const put = await fetch(docUrl, { method: "PUT", headers: asAgent, body: JSON.stringify(published) });
      expect(put.status, await put.text()).toBe(201);

      const after = await readBack();
      expect(after.media_url).toBe(guessed);
      const photo = await fetch(guessed);
      expect(photo.status).toBe(200);
      expect(photo.headers.get("content-type")).toBe("image/png");
      expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
      // Anything but the exact published address stays closed.
      expect((await fetch(guessed.replace(".png", ".jpg"))).status).toBe(404);

      // Lists with every filter, in XML.
      const list = async (query: string) =>
        (((xml(await get(`${o}/requests.xml?${query}`)).service_requests as Xml).request ?? []) as Xml[]).map(
          (r) => r.service_request_id,
        );
      const today = new Date();
      const start = new Date(today.getTime() - 3_600_000).toISOString();
      const end = new Date(today.getTime() + 3_600_000).toISOString();
      expect(await list("service_code=signalement_voirie")).toContain(id);
      expect(await list("service_code=signalement_eclairage,signalement_proprete")).not.toContain(id);
      expect(await list("status=open")).toContain(id);
      expect(await list("status=closed")).not.toContain(id);
      expect(await list(`start_date=${start}&end_date=${end}`)).toContain(id);
      expect(await list(`end_date=${start}`)).not.toContain(id);
      expect(await list(`service_request_id=${id}&service_code=signalement_eclairage`)).toEqual([id]);
      const whole = await get(`${o}/requests.xml?service_code=signalement_voirie`);
      expect(whole.text).toContain("media_url");
      for (const secret of ["Curie", "Marie", "marie.curie", "Nid-de-poule", "Signal'Ville"])
        expect(whole.text).not.toContain(secret);
    } finally {
      await requireKeys(false);
    }
  });

  it("tells errors in both formats, with code and description", async () => {
    const cases: [string, RequestInit | undefined, number, RegExp][] = [
      ["services/inconnu", undefined, 404, /service introuvable/],
      ["requests/ZZZZ-ZZZZ", undefined, 404, /demande introuvable/],
      ["requests", undefined, 400, /status : « ouvert » inconnu/],
      [
        "requests",
        { method: "POST", body: new URLSearchParams({ service_code: "inconnu" }) },
        400,
        /service inconnu/,
      ],
      [
        "requests",
        {
          method: "POST",
          body: new URLSearchParams({ service_code: "signalement_voirie", description: "x" }),
        },
        400,
        /address_string : Ce champ est obligatoire/,
      ],
      [
        "requests",
        { method: "POST", body: new URLSearchParams({ api_key: "0123456789ab.faux" }) },
        403,
        /clé d'API invalide/,
      ],
    ];
    for (const [name, init, status, description] of cases) {
      const query = name === "requests" && !init ? "?status=ouvert" : "";
      const asJson = await fetch(`${o}/${name}.json${query}`, init);
      expect(asJson.status, name).toBe(status);
      const errorsJson = json<{ code: number; description: string }[]>({
        status: asJson.status,
        type: asJson.headers.get("content-type") ?? "",
        text: await asJson.text(),
      });
      expect(errorsJson.every((e) => e.code === status)).toBe(true);
      expect(errorsJson.map((e) => e.description).join(" ")).toMatch(description);
      for (const e of errorsJson) subsetOf(keysOf(e), SPEC.error);

      const again =
        init?.body instanceof URLSearchParams ? { ...init, body: new URLSearchParams(init.body) } : init;
      const asXml = await fetch(`${o}/${name}.xml${query}`, again);
      expect(asXml.status, name).toBe(status);
      const parsed = xml({
        status: asXml.status,
        type: asXml.headers.get("content-type") ?? "",
        text: await asXml.text(),
      });
      const errors = (parsed.errors as Xml).error as Xml[];
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.every((e) => e.code === String(status))).toBe(true);
      expect(errors.map((e) => e.description).join(" ")).toMatch(description);
    }
    // No format, no GeoReport address: an XML error (the format the specification requires).
    const bare = await get(`${o}/services`);
    expect(bare.status).toBe(404);
    expect(((xml(bare).errors as Xml).error as Xml[])[0]?.code).toBe("404");
  });

  it("requires a valid, unrevoked key when the commune says so, and keeps keys from everyone but admins", async () => {
    const form = () => new URLSearchParams(CITIZEN);
    // Not required: a post without a key goes in.
    expect((await fetch(`${o}/requests.json`, { method: "POST", body: form() })).status).toBe(201);
    await requireKeys(true);
    try {
      const none = await fetch(`${o}/requests.json`, { method: "POST", body: form() });
      expect(none.status).toBe(403);
      expect(await none.text()).toMatch(/clé d'API obligatoire/);
      const app = await issueKey("Appli de quartier");
      const withKey = new URLSearchParams({ ...CITIZEN, api_key: app.key });
      expect((await fetch(`${o}/requests.json`, { method: "POST", body: withKey })).status).toBe(201);
      // A forged secret for a real key id is refused.
      const forged = new URLSearchParams({ ...CITIZEN, api_key: `${app.id}.${"A".repeat(43)}` });
      expect((await fetch(`${o}/requests.json`, { method: "POST", body: forged })).status).toBe(403);

      const revoke = await call("POST", `${server.url}/api/v1/admin/api-keys/${app.id}/revoke`, admin);
      expect(revoke.status).toBe(200);
      expect((revoke.body as { revokedAt?: string }).revokedAt).toBeTruthy();
      const revoked = await fetch(`${o}/requests.json`, { method: "POST", body: withKey });
      expect(revoked.status).toBe(403);
      expect(await revoked.text()).toMatch(/invalide ou révoquée/);

      // The listing shows applications, never a secret nor its hash.
      const listing = await call("GET", `${server.url}/api/v1/admin/api-keys`, admin);
      expect(listing.status).toBe(200);
      const text = JSON.stringify(listing.body);
      expect(text).toContain("Appli de quartier");
      expect(text).not.toContain(app.key.split(".")[1]);
      expect(text).not.toContain('"hash"');
      expect((listing.body as { requireKey: boolean }).requireKey).toBe(true);
    } finally {
      await requireKeys(false);
    }

    // Stored hashed: the secret is nowhere in the database.
    const fresh = await issueKey("Contrôle du stockage");
    // `_all_docs` reads one copy of each shard on a cluster: the new key may take a moment to show.
    const stored = await waitFor("the new key in _all_docs", async () => {
      const all = JSON.stringify(
        await tc.admin.use(apiKeyDatabaseName(tc.commune)).list({ include_docs: true }),
      );
      return all.includes("Contrôle du stockage") && all;
    });
    expect(stored).not.toContain(fresh.key.split(".")[1]);

    // Agents, supervisors and anonymous callers: neither the admin API nor the database itself.
    const supervisor = await tc.createUser("o311-sup", ["supervisor"]);
    for (const who of [agent, supervisor, null]) {
      expect((await call("GET", `${server.url}/api/v1/admin/api-keys`, who)).status).toBeGreaterThanOrEqual(
        401,
      );
      expect(
        (await call("POST", `${server.url}/api/v1/admin/api-keys`, who, { application: "x" })).status,
      ).toBeGreaterThanOrEqual(401);
      const raw = await call(
        "GET",
        `${tc.url}/${apiKeyDatabaseName(tc.commune)}/_all_docs?include_docs=true`,
        who,
      );
      expect([401, 403]).toContain(raw.status);
    }
    // An admin writing the database directly is refused too: only the server account writes.
    const direct = await call(
      "PUT",
      `${tc.url}/${apiKeyDatabaseName(tc.commune)}/apikey:000000000000`,
      admin,
      {
        application: "pirate",
      },
    );
    expect(direct.status).toBe(403);
  });

  it("maps jurisdiction_id to the commune: optional with one, required with several", async () => {
    const ok = await get(`${o}/services.json?jurisdiction_id=${tc.commune}`);
    expect(ok.status).toBe(200);
    for (const fmt of ["json", "xml"]) {
      const wrong = await get(`${o}/services.${fmt}?jurisdiction_id=ailleurs`);
      expect(wrong.status).toBe(404);
      expect(wrong.text).toMatch(/jurisdiction_id : la collectivité « ailleurs »/);
    }
    const post = await fetch(`${o}/requests.json`, {
      method: "POST",
      body: new URLSearchParams({ ...CITIZEN, jurisdiction_id: "ailleurs" }),
    });
    expect(post.status).toBe(404);

    // Two communes behind one router (the registry's shape): the second offers one service only.
    const dir = mkdtempSync(path.join(tmpdir(), "o311-"));
    const asAdmin = couchServer(tc.url, { username: tc.adminUser, password: tc.adminPassword });
    const stored = await readCommuneConfig(tc.couch.admin.db(tc.dbName("config")));
    const settings = stored.commune;
    if (!settings) throw new Error("commune de test sans réglages");
    const communeOf = (id: string, keep: (code: string) => boolean): Open311Commune => {
      const catalogue = {
        ...DEFAULT_CATALOGUE,
        demarches: DEFAULT_CATALOGUE.demarches.filter((d) => keep(d.id)),
      };
      const mainDb = asAdmin.db(tc.dbName("main"));
      const intake: IntakeDeps = {
        commune: () => ({ ...settings, id }),
        catalogue: () => catalogue,
        tracking: new BlockCounter(
          asAdmin.db(serverDatabaseName(tc.commune)),
          `o311-${id}`,
          50,
          MAX_TRACKING_SEQUENCE,
        ),
        writer: new BulkWriter(mainDb, 10, 1),
        portalUser: tc.bootstrapped.serviceAccounts.portal.name,
        attachments: new AttachmentStore(path.join(dir, id)),
        now: () => new Date(),
      };
      return { id, intake, mainDb, keys: new ApiKeys(asAdmin.db(apiKeyDatabaseName(tc.commune))) };
    };
    const communes = [
      communeOf("nord", () => true),
      communeOf("sud", (code) => code === "signalement_voirie"),
    ];
    const router = open311Router({
      jurisdictions: { communeFor: (id) => communes.find((c) => c.id === id), single: () => undefined },
      submitLimiter: null,
      publicUrl: () => "https://guichet.example",
      now: () => new Date(),
    });
    const app = createApp({
      mounts: [{ prefix: "/open311/", router, csp: "api", renderError: renderOpen311Error }],
      trustProxy: false,
      tls: false,
    });
    const two = await listen(app, { port: 0, host: "127.0.0.1" });
    try {
      for (const fmt of ["json", "xml"]) {
        const missing = await get(`${two.url}/open311/v2/services.${fmt}`);
        expect(missing.status).toBe(400);
        expect(missing.text).toMatch(/jurisdiction_id : obligatoire/);
      }
      const nord = json<unknown[]>(await get(`${two.url}/open311/v2/services.json?jurisdiction_id=nord`));
      const sud = xml(await get(`${two.url}/open311/v2/services.xml?jurisdiction_id=sud`));
      expect(nord).toHaveLength(3);
      expect(((sud.services as Xml).service as Xml[]).map((s) => s.service_code)).toEqual([
        "signalement_voirie",
      ]);
      const disc = json<{ endpoints: { url: string }[] }>(
        await get(`${two.url}/open311/discovery.json?jurisdiction_id=sud`),
      );
      expect(disc.endpoints[0]?.url).toBe("https://guichet.example/open311/v2?jurisdiction_id=sud");
      const noJurisdiction = await fetch(`${two.url}/open311/v2/requests.xml`, {
        method: "POST",
        body: new URLSearchParams(CITIZEN),
      });
      expect(noJurisdiction.status).toBe(400);
    } finally {
      await two.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
