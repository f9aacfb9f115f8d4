import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AttachmentMeta } from "../../domain/request";
import { type LocalCollections, localCollections } from "../../renderer/db/local-collections";
import { type AttachmentUpload, startAttachmentUpload } from "../../renderer/sync/attachment-upload";
import { type GuichetServer, startGuichetServer } from "../../sync-server/server";
import { basicAuth } from "./support/http";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";
import { openWorkstation, type Workstation } from "./support/workstation";

/**
 * Attachments recorded at a counter (offline if need be) reach the server once their request
 * does, through the agent API; the server keeps only the bytes the request declares, and the
 * counter erases its copy once the server holds it.
 */
let t: TestCouch;
let server: GuichetServer;
let agent: TestUser;
let colleague: TestUser;
let ccasAgent: TestUser;
let counter: Workstation;
let local: LocalCollections;
let upload: AttachmentUpload;

const sha = (b: Buffer) => createHash("sha256").update(b).digest("hex");
const pdf = (text: string) => Buffer.from(`%PDF-1.4\n% ${text}\n%%EOF\n`);
const png = (seed: number) =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, seed)]);
let metaSeq = 0;
const metaOf = (data: Buffer, mime: AttachmentMeta["mime"], name = "scan.pdf"): AttachmentMeta => ({
  id: `piece-${Date.now()}-${metaSeq++}`,
  name,
  mime,
  size: data.length,
  sha256: sha(data),
});

async function keepLocally(requestId: string, meta: AttachmentMeta, data: Buffer) {
  await local.attachment_files.insert({
    id: meta.id,
    requestId,
    mime: meta.mime,
    data: data.toString("base64"),
  });
}

async function download(u: TestUser, requestId: string, sha256: string) {
  const res = await fetch(`${server.url}/api/v1/requests/${requestId}/attachments/${sha256}`, {
    headers: { Authorization: basicAuth(u) },
  });
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    body: Buffer.from(await res.arrayBuffer()),
  };
}

async function put(u: TestUser | null, requestId: string, sha256: string, body: Buffer, type: string) {
  const res = await fetch(`${server.url}/api/v1/requests/${requestId}/attachments/${sha256}`, {
    method: "PUT",
    headers: { "Content-Type": type, ...(u ? { Authorization: basicAuth(u) } : {}) },
    body: new Uint8Array(body),
  });
  const json = (await res.json().catch(() => ({}))) as { errors?: { message: string }[] };
  return { status: res.status, message: json.errors?.[0]?.message ?? "" };
}

beforeAll(async () => {
  t = await startTestCouch();
  agent = await t.createUser("accueil", ["agent"]);
  colleague = await t.createUser("accueil2", ["agent"]);
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
  counter = await openWorkstation({
    code: "P4J",
    commune: t.commune,
    dbUrl: t.dbUrl("main"),
    auth: { username: agent.name, password: agent.password },
    handover: {
      url: `${server.url}/api/v1/handovers`,
      services: ["ccas", "police_municipale"],
      keepMs: 600_000,
    },
    reconcileMs: 300,
  });
  local = (await counter.db.addCollections(localCollections)) as unknown as LocalCollections;
  upload = startAttachmentUpload({
    files: local.attachment_files,
    serverUrl: server.url,
    auth: { username: agent.name, password: agent.password },
    fetch: counter.fetch,
    retryMs: 200,
  });
}, 60_000);

afterAll(async () => {
  await upload?.stop();
  await counter?.destroy();
  await server?.stop();
  await t?.stop();
});

describe("attachments recorded at a counter", () => {
  it("wait on the workstation while offline, reach the server with their request, then leave the workstation", async () => {
    counter.setOnline(false);
    const scan = pdf("courrier de Mme Durand");
    const meta = metaOf(scan, "application/pdf", "courrier-durand.pdf");
    const request = await counter.record({ attachments: [meta] });
    await keepLocally(request.id, meta, scan);

    await waitFor("the file counted as waiting", () => upload.status$.value.waiting === 1);
    await new Promise((r) => setTimeout(r, 600)); // several upload rounds, all offline
    expect(upload.status$.value).toEqual({ waiting: 1, lastError: null });
    expect((await download(colleague, request.id, meta.sha256)).status).toBe(404);

    counter.setOnline(true);
    upload.kick();
    await counter.settle();
    await waitFor("the upload", () => upload.status$.value.waiting === 0);

    // Another agent, on another workstation, opens the very bytes.
    const got = await download(colleague, request.id, meta.sha256);
    expect(got.status).toBe(200);
    expect(got.type).toBe("application/pdf");
    expect(got.body.equals(scan)).toBe(true);
    expect(await local.attachment_files.count().exec()).toBe(0);
    expect(upload.status$.value.lastError).toBeNull();
  });

  it("of a sensitive request follow its hand-over; the counter may send them but not read them back", async () => {
    const photo = png(7);
    const meta = metaOf(photo, "image/png", "justificatif.png");
    const request = await counter.record({
      demarche: "ccas_aide",
      fields: { nature: "secours", situation: "Facture impayée" },
      attachments: [meta],
    });
    await keepLocally(request.id, meta, photo);
    await counter.settle();
    upload.kick();
    await waitFor("the upload", () => upload.status$.value.waiting === 0);

    const byService = await download(ccasAgent, request.id, meta.sha256);
    expect(byService.status).toBe(200);
    expect(byService.body.equals(photo)).toBe(true);
    // Least access: the counter handed the request over and cannot read it, nor its files.
    expect((await download(agent, request.id, meta.sha256)).status).toBe(404);
    // An agent who neither recorded nor may read the request cannot send files for it either.
    expect((await put(colleague, request.id, meta.sha256, photo, "image/png")).status).toBe(404);
  });
});

describe("the server's upload endpoint", () => {
  it("keeps only the bytes the request declares and says why it refuses the rest", async () => {
    const declared = pdf("formulaire signé");
    const meta = metaOf(declared, "application/pdf");
    const request = await counter.record({ attachments: [meta] });
    await counter.settle();

    const altered = Buffer.from(declared);
    altered[altered.length - 2] = 0x41;
    const cases = [
      { who: null, body: declared, type: meta.mime, sha: meta.sha256, status: 401 },
      { who: agent, body: altered, type: meta.mime, sha: meta.sha256, status: 422, says: /altéré/ },
      { who: agent, body: declared, type: "image/png", sha: meta.sha256, status: 415 },
      {
        who: agent,
        body: Buffer.concat([declared, declared]),
        type: meta.mime,
        sha: meta.sha256,
        status: 413,
      },
      { who: agent, body: altered, type: meta.mime, sha: sha(altered), status: 410, says: /ne figure pas/ },
      { who: agent, body: declared, type: meta.mime, sha: "zz", status: 410 },
    ];
    for (const c of cases) {
      const res = await put(c.who, request.id, c.sha, c.body, c.type);
      expect({ status: res.status, sha: c.sha.slice(0, 6) }).toEqual({
        status: c.status,
        sha: c.sha.slice(0, 6),
      });
      if (c.says) expect(res.message).toMatch(c.says);
      expect((await download(agent, request.id, meta.sha256)).status).toBe(404);
    }
    expect((await put(agent, "ZZZZZZZZ", meta.sha256, declared, meta.mime)).status).toBe(404);

    // The right bytes are accepted, twice without harm.
    expect((await put(agent, request.id, meta.sha256, declared, meta.mime)).status).toBe(201);
    expect((await put(agent, request.id, meta.sha256, declared, meta.mime)).status).toBe(201);
    expect((await download(colleague, request.id, meta.sha256)).body.equals(declared)).toBe(true);
  });

  it("refuses content that is not of the declared type, even with the declared hash", async () => {
    const notPng = Buffer.from("<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>");
    const meta = metaOf(notPng, "image/png", "photo.png");
    const request = await counter.record({ attachments: [meta] });
    await counter.settle();
    const res = await put(agent, request.id, meta.sha256, notPng, "image/png");
    expect(res.status).toBe(422);
    expect(res.message).toBe("Le contenu du fichier n'est pas une image PNG, comme la demande l'annonce.");
    expect((await download(agent, request.id, meta.sha256)).status).toBe(404);

    // Sent by the workstation: refused, kept there, and the sync bar says why.
    await keepLocally(request.id, meta, notPng);
    upload.kick();
    const error = await waitFor("the refusal", () => upload.status$.value.lastError);
    expect(error).toBe(
      `Pièce jointe de la demande ${request.id} non envoyée : Le contenu du fichier n'est pas une image PNG, comme la demande l'annonce.`,
    );
    expect(upload.status$.value.waiting).toBe(1);
    await local.attachment_files.findOne(meta.id).remove();
  });
});
