import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CouchDb, CouchError, type CouchServer, couchServer } from "../../sync-server/couch/couch-db";
import { directDb } from "../../sync-server/couch/in-process-db";
import { PORTAL_WORKSTATION } from "../../sync-server/services/server-codes";
import { ensureServerDatabase } from "../../sync-server/services/server-db";
import { buildRequest, type RequestDoc } from "./support/requests";
import { startTestCouch, type TestCouch } from "./support/test-couch";

/**
 * The service accounts' direct client (what the portal's writer and the outbox's grouped batches
 * use): in-process on the embedded server, HTTP on CouchDB. Whatever the path, the database takes
 * and refuses exactly what it takes and refuses over HTTP from the same account.
 */
describe("the service accounts' direct client (in-process on the embedded server)", () => {
  let t: TestCouch;
  let asPortal: CouchServer;
  let asServer: CouchServer;
  let main: string;
  let direct: CouchDb;
  let http: CouchDb;
  let adminMain: CouchDb;

  beforeAll(async () => {
    t = await startTestCouch();
    const { portal, server } = t.bootstrapped.serviceAccounts;
    asPortal = couchServer(t.url, { username: portal.name, password: portal.password });
    asServer = couchServer(t.url, { username: server.name, password: server.password });
    main = t.dbName("main");
    direct = directDb(t.couch, asPortal, main);
    http = asPortal.db(main);
    adminMain = t.couch.admin.db(main);
  }, 60_000);
  afterAll(async () => {
    await t?.stop();
  });

  const submission = (): RequestDoc =>
    buildRequest({
      commune: t.commune,
      by: t.bootstrapped.serviceAccounts.portal.name,
      workstation: PORTAL_WORKSTATION,
      channel: "en_ligne",
    });

  it("is in-process exactly on the embedded server", () => {
    expect(!!t.couch.inProcess).toBe(t.kind === "embedded");
  });

  it("stores a portal submission that a long-poll over HTTP already waiting sees at once", async () => {
    const info = await adminMain.info();
    const waiting = adminMain.changes({
      feed: "longpoll",
      since: typeof info.update_seq === "string" ? info.update_seq : JSON.stringify(info.update_seq),
      timeout: "20000",
    });
    // Failing before it is awaited must not leave a rejection behind.
    waiting.catch(() => undefined);
    // Long enough for the long-poll to be registered before the write.
    await new Promise((r) => setTimeout(r, 300));
    const doc = submission();
    const started = Date.now();
    const [row] = await direct.bulkDocs([doc]);
    expect(row, JSON.stringify(row)).toMatchObject({ id: doc._id, ok: true });
    const feed = await waiting;
    expect(feed.results.map((r) => r.id)).toContain(doc._id);
    expect(Date.now() - started).toBeLessThan(5_000);
    const stored = await adminMain.get<RequestDoc>(doc._id);
    expect(stored?._rev).toBe(row?.rev);
    expect(stored?.citizen).toEqual(doc.citizen);
    // And read back through the same client.
    const read = await direct.allDocs<RequestDoc>({ keys: [doc._id, "ABSENT99"], include_docs: true });
    expect(read.rows[0]?.doc?.tracking).toBe(doc._id);
    expect(read.rows[1]).toMatchObject({ key: "ABSENT99", error: "not_found" });
  });

  it("refuses through validate_doc_update every document it refuses over HTTP, with the same reason", async () => {
    const bad: [string, (d: RequestDoc) => Record<string, unknown>][] = [
      ["a counter request from the portal", (d) => ({ ...d, channel: "guichet" })],
      ["created in another's name", (d) => ({ ...d, createdBy: "quelquun.dautre" })],
      ["another commune", (d) => ({ ...d, commune: "ailleurs" })],
      ["a broken schema", (d) => ({ ...d, citizen: 5 })],
      [
        "an attachment slipped past the server",
        (d) => ({ ...d, _attachments: { "a.txt": { content_type: "text/plain", data: "eA==" } } }),
      ],
    ];
    for (const [label, make] of bad) {
      const viaDirect = make(submission());
      const viaHttp = make(submission());
      const [d] = await direct.bulkDocs([viaDirect]);
      const [h] = await http.bulkDocs([viaHttp]);
      expect(d?.error, label).toBe("forbidden");
      expect(d?.reason, label).not.toMatch(/^sensitive/);
      expect(d?.error, label).toBe(h?.error);
      expect(d?.reason, label).toBe(h?.reason);
      expect(d?.ok, label).toBeUndefined();
      expect(await adminMain.get(String(viaDirect._id)), label).toBeNull();
    }
  });

  it("gives validate_doc_update the account's own roles: the server account may not create a request", async () => {
    const doc = { ...submission(), createdBy: t.bootstrapped.serviceAccounts.server.name };
    const [row] = await directDb(t.couch, asServer, main).bulkDocs([doc]);
    const [overHttp] = await asServer.db(main).bulkDocs([{ ...doc }]);
    expect(row?.error).toBe("forbidden");
    expect(row?.reason).toBe(overHttp?.reason);
    expect(await adminMain.get(doc._id)).toBeNull();
  });

  it("refuses a design document from a service account", async () => {
    const ddoc = { _id: "_design/piege", validate_doc_update: "function(){}" };
    const outcome = await direct.bulkDocs([ddoc]).catch((e: unknown) => e);
    if (t.couch.inProcess) {
      // The gateway's check, before anything reaches the database.
      expect(outcome).toBeInstanceOf(CouchError);
      expect((outcome as CouchError).status).toBe(403);
    } else {
      // CouchDB answers per row: only the database's admins write design documents.
      expect((outcome as { error?: string }[])[0]?.error).toMatch(/^(forbidden|unauthorized)$/);
    }
    expect(await adminMain.get("_design/piege")).toBeNull();
  });

  it("refuses an account that is not a member of the database, as over HTTP", async () => {
    const serverDbName = await ensureServerDatabase(t.couch.admin, t.commune);
    const claim = { _id: "outbox:PIEGE:ar", type: "outbox" };
    const viaDirect = await directDb(t.couch, asPortal, serverDbName)
      .bulkDocs([claim])
      .catch((e: unknown) => e);
    const viaHttp = await asPortal
      .db(serverDbName)
      .bulkDocs([claim])
      .catch((e: unknown) => e);
    expect((viaDirect as CouchError).status).toBe(403);
    expect((viaHttp as CouchError).status).toBe(403);
    const read = await directDb(t.couch, asPortal, serverDbName)
      .allDocs({ keys: [claim._id] })
      .catch((e: unknown) => e);
    expect((read as CouchError).status).toBe(403);
    expect(await t.couch.admin.db(serverDbName).get(claim._id)).toBeNull();
  });

  it("writes into a database deleted and created again, not into the old one", async () => {
    const name = await ensureServerDatabase(t.couch.admin, t.commune);
    const db = directDb(t.couch, asServer, name);
    const [first] = await db.bulkDocs([{ _id: "avant", type: "test" }]);
    expect(first?.ok).toBe(true);
    await t.couch.admin.request(encodeURIComponent(name), { method: "DELETE" });
    await ensureServerDatabase(t.couch.admin, t.commune);
    const [second] = await db.bulkDocs([{ _id: "apres", type: "test" }]);
    expect(second?.ok).toBe(true);
    const admin = t.couch.admin.db(name);
    expect(await admin.get("apres")).toMatchObject({ type: "test" });
    expect(await admin.get("avant")).toBeNull();
  });

  it("writes nothing for a client whose password is wrong", async () => {
    const wrong = couchServer(t.url, {
      username: t.bootstrapped.serviceAccounts.portal.name,
      password: "pas-le-bon-mot-de-passe",
    });
    const doc = submission();
    const refusal = await directDb(t.couch, wrong, main)
      .bulkDocs([doc])
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(CouchError);
    expect((refusal as CouchError).status).toBe(401);
    expect(await adminMain.get(doc._id)).toBeNull();
  });
});
