import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDemarche } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { newEventId } from "../../domain/history";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest } from "../../domain/request";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { type CouchDb, couchServer } from "../../sync-server/couch/couch-db";
import { type ConflictMerger, startConflictMerger } from "../../sync-server/jobs/conflict-merger";
import { createMailer, type Mailer } from "../../sync-server/mail/mailer";
import { type Composer, Outbox } from "../../sync-server/mail/outbox";
import { type SmtpSink, startSmtpSink } from "../../sync-server/mail/smtp-sink";
import { appendEvents } from "../../sync-server/services/append-events";
import { ensureServerDatabase } from "../../sync-server/services/server-db";
import { startTestCouch, type TestCouch } from "./support/test-couch";
import { waitFor } from "./support/wait";

/** The same database, counting the requests made to it (what a second look costs). */
function counted(db: CouchDb): { db: CouchDb; calls: () => number } {
  let calls = 0;
  const count =
    <A extends unknown[], R>(f: (...a: A) => R) =>
    (...a: A): R => {
      calls += 1;
      return f(...a);
    };
  return {
    db: {
      ...db,
      get: count(db.get) as CouchDb["get"],
      put: count(db.put),
      bulkDocs: count(db.bulkDocs),
      allDocs: count(db.allDocs) as CouchDb["allDocs"],
    },
    calls: () => calls,
  };
}

const compose: Composer = (request, kind) => ({
  mail: {
    to: { name: request.citizen.lastName, address: request.citizen.email ?? "" },
    subject: `${kind} ${request.id}`,
    text: "Votre demande est enregistrée.",
    html: "<p>Votre demande est enregistrée.</p>",
    messageId: `<${kind}.${request.id}@test.example.org>`,
  },
});

describe("accusés at the portal's pace (outbox on a real database and a real SMTP sink)", () => {
  let tc: TestCouch;
  let sink: SmtpSink;
  let mailer: Mailer;
  let stateDb: CouchDb;
  let mainDb: CouchDb;
  let portalDb: CouchDb;
  let merger: ConflictMerger | undefined;
  let seq = 0;

  beforeAll(async () => {
    tc = await startTestCouch();
    sink = await startSmtpSink();
    mailer = createMailer(sink.url, { name: "Mairie", address: "ne-pas-repondre@test.example.org" });
    const admin = couchServer(tc.url, { username: tc.adminUser, password: tc.adminPassword });
    const server = tc.bootstrapped.serviceAccounts.server;
    const asServer = couchServer(tc.url, { username: server.name, password: server.password });
    stateDb = asServer.db(await ensureServerDatabase(admin, tc.commune));
    mainDb = asServer.db(tc.dbName("main"));
    const portal = tc.bootstrapped.serviceAccounts.portal;
    portalDb = couchServer(tc.url, { username: portal.name, password: portal.password }).db(
      tc.dbName("main"),
    );
    // The server's conflict merger runs beside the outbox, as in production: on a cluster a write
    // made on a stale copy can be taken as a sibling revision (append-events.ts), which it merges.
    merger = startConflictMerger({
      databases: [tc.dbName("main")],
      db: (name) => asServer.db(name),
      checkpoints: stateDb,
      instanceId: "mail-pace-test",
      onError: (e) => console.error("fusion", e),
    });
  });
  afterAll(async () => {
    await merger?.stop();
    mailer?.close();
    await sink?.stop();
    await tc?.stop();
  });

  /** An online request stored in the main database, as the portal stores it. */
  async function stored(email: string): Promise<GuichetRequest> {
    const d = findDemarche(DEFAULT_CATALOGUE, "aide_restauration_scolaire");
    if (!d) throw new Error("démarche absente");
    const built = newRequest(
      {
        demarche: d.id,
        channel: "en_ligne",
        subject: d.label,
        fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
        citizen: { firstName: "Camille", lastName: "Rythme", email },
        attachments: [],
      },
      {
        commune: tc.commune,
        tracking: makeTrackingNumber("P4C", ++seq),
        demarche: d,
        policy: DEMO_COMMUNE.policy,
        by: tc.bootstrapped.serviceAccounts.portal.name,
        workstation: "P4C",
        now: new Date().toISOString(),
      },
    );
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    await portalDb.put({ _id: built.request.id, ...built.request });
    return built.request;
  }

  const outbox = (instanceId: string, state: CouchDb, send: Mailer = mailer) =>
    new Outbox({
      stateDb: state,
      requestDb: () => mainDb,
      mailer: send,
      compose,
      instanceId,
      serverUser: tc.bootstrapped.serviceAccounts.server.name,
    });
  const mailsTo = (address: string) => sink.messages().filter((m) => m.to.includes(address));

  it("answers a second look at a request it settled from memory, and another process from the database", async () => {
    const r = await stored("memoire@example.org");
    const state = counted(stateDb);
    const first = outbox("process-a", state.db);
    expect(await first.deliver(tc.dbName("main"), r.id, ["registration", "ar"])).toEqual([
      "recorded",
      "recorded",
    ]);
    await sink.waitFor(1);
    expect(mailsTo("memoire@example.org")).toHaveLength(2);

    // The changes feed hands the same request over again: nothing read, nothing written, nothing sent.
    const before = state.calls();
    expect(await first.deliver(tc.dbName("main"), r.id, ["registration", "ar"])).toEqual([
      "already",
      "already",
    ]);
    expect(state.calls()).toBe(before);

    // Another process has no such memory: the claims in the database tell it the same.
    const other = counted(stateDb);
    const second = outbox("process-b", other.db);
    expect(await second.deliver(tc.dbName("main"), r.id, ["registration", "ar"])).toEqual([
      "already",
      "already",
    ]);
    expect(other.calls()).toBeGreaterThan(0);
    expect(mailsTo("memoire@example.org")).toHaveLength(2);
    const doc = (await mainDb.get<GuichetRequest>(r.id)) as GuichetRequest;
    expect(doc.events.filter((e) => e.kind === "registration_sent")).toHaveLength(1);
    expect(doc.events.filter((e) => e.kind === "ar_sent")).toHaveLength(1);
    await first.stop();
    await second.stop();
  });

  it("records the sent events on a request an agent changed while the mails were going out, keeping the agent's event", async () => {
    const r = await stored("pendant@example.org");
    const agentNote = {
      id: newEventId(new Date().toISOString(), "K7M"),
      at: new Date().toISOString(),
      by: tc.bootstrapped.serviceAccounts.server.name,
      workstation: "K7M",
      kind: "note" as const,
      text: "Appel de l'usager pendant l'envoi.",
    };
    // The copy read before sending goes stale during the first SMTP transaction.
    let changed = false;
    const changing: Mailer = {
      async send(mail) {
        if (!changed) {
          changed = true;
          await appendEvents(mainDb, r.id, () => [agentNote]);
        }
        await mailer.send(mail);
      },
      close: () => undefined,
    };
    const box = outbox("process-c", stateDb, changing);
    expect(await box.deliver(tc.dbName("main"), r.id, ["registration", "ar"])).toEqual([
      "recorded",
      "recorded",
    ]);
    // On a cluster under load a write may be acknowledged by one copy first (202): read until the
    // recorded events show, then count them exactly.
    const doc = await waitFor("les événements d'envoi", async () => {
      const d = (await mainDb.get<GuichetRequest>(r.id)) as GuichetRequest;
      return d.events.some((e) => e.kind === "registration_sent") &&
        d.events.some((e) => e.kind === "ar_sent")
        ? d
        : null;
    });
    expect(doc.events.filter((e) => e.kind === "note").map((e) => e.id)).toEqual([agentNote.id]);
    expect(doc.events.filter((e) => e.kind === "registration_sent")).toHaveLength(1);
    expect(doc.events.filter((e) => e.kind === "ar_sent")).toHaveLength(1);
    expect(mailsTo("pendant@example.org")).toHaveLength(2);
    await box.stop();
  });
});
