import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GuichetRequest } from "../../domain/request";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { HANDOVER_REFUSED } from "../../sync-server/services/handover";
import { basicAuth } from "./support/http";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";
import { openWorkstation, type Workstation } from "./support/workstation";

/**
 * Sensitive services (CCAS, police municipale): a counter without the service's role records such
 * a request offline and hands it over to the server; its personal data never lands in the main
 * database, never replicates to that counter afterwards, and leaves the counter once handed over.
 * A workstation with the role holds the service's database and works on it like any other.
 */
const CCAS_FIELDS = { nature: "secours", situation: "Facture d'énergie impayée, deux enfants" };
const SECRET_NAME = "Zéphyrine-Confidentielle";

let t: TestCouch;
let server: GuichetServer;
let counterAgent: TestUser;
let ccasAgent: TestUser;
let counter: Workstation;
let ccas: Workstation;
const handover: { url: string; services: string[]; keepMs: number } = {
  url: "",
  services: [],
  keepMs: 600_000,
};

async function rawGet(u: TestUser, path: string, init: RequestInit = {}) {
  const res = await fetch(`${t.url}/${path}`, {
    ...init,
    headers: { Authorization: basicAuth(u), "Content-Type": "application/json", ...(init.headers ?? {}) },
  });
  return { path, status: res.status, text: await res.text() };
}

async function postHandover(u: TestUser | null, body: unknown) {
  const res = await fetch(`${server.url}/api/v1/handovers`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(u ? { Authorization: basicAuth(u) } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const ccasDb = () => t.admin.use<GuichetRequest>(t.dbName("sensitive", "ccas"));
const mainDb = () => t.admin.use<GuichetRequest>(t.dbName("main"));

beforeAll(async () => {
  t = await startTestCouch();
  counterAgent = await t.createUser("accueil", ["agent"]);
  ccasAgent = await t.createUser("ccas", ["service_agent"], ["ccas"]);
  const sa = t.bootstrapped.serviceAccounts;
  server = await startGuichetServer({
    couch: t.couch,
    commune: t.commune,
    port: 0,
    jobs: false,
    log: () => undefined,
    limits: { submitPerMinute: null },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
  });
  handover.url = `${server.url}/api/v1/handovers`;
  handover.services = ["ccas", "police_municipale"];
  counter = await openWorkstation({
    code: "A2C",
    commune: t.commune,
    dbUrl: t.dbUrl("main"),
    auth: { username: counterAgent.name, password: counterAgent.password },
    handover,
    reconcileMs: 300,
  });
}, 60_000);

afterAll(async () => {
  await counter?.destroy();
  await ccas?.destroy();
  await server?.stop();
  await t?.stop();
});

describe("sensitive requests", () => {
  let handed: GuichetRequest;
  let ordinary: GuichetRequest;

  it("are recorded offline at a counter without the role and handed over to the service's database only", async () => {
    counter.setOnline(false);
    handed = await counter.record({ demarche: "ccas_aide", fields: CCAS_FIELDS, lastName: SECRET_NAME });
    ordinary = await counter.record();
    expect(handed.sensitive).toBe(true);
    expect((await counter.status()).pending).toBe(2);

    counter.setOnline(true);
    await counter.settle();
    const status = await counter.status();
    expect(status).toMatchObject({ pending: 0, rejected: 0 });

    const stored = await ccasDb().get(handed.id);
    expect(stored.citizen.lastName).toBe(SECRET_NAME);
    expect(stored.createdBy).toBe(counterAgent.name);
    expect(stored.events.map((e) => e.id)).toEqual(handed.events.map((e) => e.id));
    await expect(mainDb().get(handed.id)).rejects.toMatchObject({ statusCode: 404 });
    expect((await mainDb().get(ordinary.id)).id).toBe(ordinary.id);
  });

  it("cannot be read by the counter's account, even with raw HTTP", async () => {
    const db = encodeURIComponent(t.dbName("sensitive", "ccas"));
    const attempts = [
      await rawGet(counterAgent, `${db}/${handed.id}`),
      await rawGet(counterAgent, `${db}/_all_docs?include_docs=true`),
      await rawGet(counterAgent, `${db}/_changes?include_docs=true`),
      await rawGet(counterAgent, `${db}/_find`, { method: "POST", body: JSON.stringify({ selector: {} }) }),
      await rawGet(counterAgent, `${db}/_design_docs`),
      await rawGet(counterAgent, `${db}/_explain`, {
        method: "POST",
        body: JSON.stringify({ selector: {} }),
      }),
      await rawGet(counterAgent, `${db}/_index`),
      await rawGet(counterAgent, `${db}/_bulk_get`, {
        method: "POST",
        body: JSON.stringify({ docs: [{ id: handed.id }] }),
      }),
      await rawGet(counterAgent, `${db}/_local_docs`),
      await rawGet(counterAgent, `${db}/_revs_diff`, {
        method: "POST",
        body: JSON.stringify({ [handed.id]: ["1-x"] }),
      }),
      await rawGet(counterAgent, `${db}/${handed.id}?revs_info=true&conflicts=true`),
    ];
    for (const a of attempts) {
      expect([401, 403], `${a.path} ${a.text.slice(0, 300)}`).toContain(a.status);
      expect(a.text).not.toContain(SECRET_NAME);
    }
    // The counter's own workstation configuration does not name the database either.
    const res = await fetch(`${server.url}/api/v1/workstation/config`, {
      headers: { Authorization: basicAuth(counterAgent) },
    });
    expect(((await res.json()) as { databases: { sensitive: object } }).databases.sensitive).toEqual({});
  });

  it("replicate to a CCAS workstation, whose work reaches the service's database, merged with the counter's", async () => {
    ccas = await openWorkstation({
      code: "C5S",
      commune: t.commune,
      dbUrl: t.dbUrl("main"),
      auth: { username: ccasAgent.name, password: ccasAgent.password },
      sensitiveDbUrls: { ccas: t.dbUrl("sensitive", "ccas") },
      handover: { url: handover.url, services: ["police_municipale"] },
    });
    const local = await waitFor("the CCAS replica", () => ccas.repo.get(handed.id));
    expect(local.citizen.lastName).toBe(SECRET_NAME);
    await waitFor("the ordinary request too", () => ccas.repo.get(ordinary.id));

    await ccas.repo.addEvents(handed.id, [ccas.event("status", { from: "received", to: "in_progress" })]);
    // Meanwhile the counter, which still holds its copy, adds a note: the hand-over merges both.
    await counter.repo.addEvents(handed.id, [counter.event("note", { text: "Le demandeur rappellera." })]);
    await ccas.settle();
    await counter.settle();
    const merged = await waitFor("both events on the server", async () => {
      const doc = await ccasDb().get(handed.id);
      return doc.events.length === 3 ? doc : null;
    });
    expect(merged.status).toBe("in_progress");
    expect(merged.events.map((e) => e.kind).sort()).toEqual(["created", "note", "status"]);
    expect((await counter.status()).rejected).toBe(0);
  });

  it("leave the counter once handed over, personal data first, without touching the server's copy", async () => {
    handover.keepMs = 0;
    await counter.restartReplication();
    await waitFor("the counter's purge", async () => (await counter.repo.get(handed.id)) === null);
    // RxDB keeps a deleted document's last state: it must hold no personal data.
    const [tombstone] = await counter.db.requests.storageInstance.findDocumentsById([handed.id], true);
    expect(tombstone?._deleted).toBe(true);
    expect(JSON.stringify(tombstone)).not.toContain(SECRET_NAME);
    expect(JSON.stringify(tombstone)).not.toContain("Facture");
    // Ordinary requests stay.
    expect(await counter.repo.get(ordinary.id)).not.toBeNull();
    await counter.settle();
    const onServer = await ccasDb().get(handed.id);
    expect(onServer.anonymised).not.toBe(true);
    expect(onServer.citizen.lastName).toBe(SECRET_NAME);
    // …and the CCAS workstation keeps it.
    expect((await ccas.repo.get(handed.id))?.citizen.lastName).toBe(SECRET_NAME);
  });
});

describe("the hand-over endpoint", () => {
  const sample = async (): Promise<GuichetRequest> => {
    counter.setOnline(false);
    const doc = await counter.record({ demarche: "ccas_aide", fields: CCAS_FIELDS });
    return doc;
  };

  it("checks what CouchDB would check for the agent, and stores nothing it refuses", async () => {
    const doc = await sample();
    const forged = {
      ...doc,
      createdBy: ccasAgent.name,
      events: doc.events.map((e) => ({ ...e, by: ccasAgent.name })),
    };
    const notSensitive = await counter.record();
    const badTransition = {
      ...doc,
      events: [...doc.events, counter.event("status", { from: "received", to: "closed" })],
    };
    const { status, body } = await postHandover(counterAgent, {
      requests: [forged, notSensitive, { ...doc, citizen: { firstName: "" } }],
    });
    expect(status).toBe(200);
    const results = body.results as { id: string; ok: boolean; reason?: string }[];
    expect(results.map((r) => r.ok)).toEqual([false, false, false]);
    // Authorship: the one generic refusal (it must not tell whether the id exists, nor what differs).
    expect(results[0]?.reason).toBe(HANDOVER_REFUSED);
    expect(results[1]?.reason).toMatch(/^sensitive/);
    expect(results[2]?.reason).toMatch(/^citizen/);
    // An invalid transition is refused by the schema's projection or by the roles check.
    const second = await postHandover(counterAgent, { requests: [badTransition] });
    expect((second.body.results as { ok: boolean }[])[0]?.ok).toBe(false);
    await expect(ccasDb().get(doc.id)).rejects.toMatchObject({ statusCode: 404 });
    await expect(mainDb().get(notSensitive.id)).rejects.toMatchObject({ statusCode: 404 });
  });

  it("answers 401 without an account, 400 to a malformed body, 415 to another content type", async () => {
    const doc = await sample();
    expect((await postHandover(null, { requests: [doc] })).status).toBe(401);
    expect((await postHandover(counterAgent, { requests: [] })).status).toBe(400);
    expect((await postHandover(counterAgent, { requests: "x" })).status).toBe(400);
    const res = await fetch(`${server.url}/api/v1/handovers`, {
      method: "POST",
      headers: { "Content-Type": "text/plain", Authorization: basicAuth(counterAgent) },
      body: "x",
    });
    expect(res.status).toBe(415);
    await expect(ccasDb().get(doc.id)).rejects.toMatchObject({ statusCode: 404 });
  });
});
