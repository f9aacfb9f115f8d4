import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDemarche } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { newEventId, withEvents } from "../../domain/history";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest, RequestEvent } from "../../domain/request";
import { formatTrackingNumber, makeTrackingNumber } from "../../domain/tracking-number";
import type { Status } from "../../domain/workflow";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "../../sync-server/mail/smtp-sink";
import { type GuichetServer, type GuichetServerOptions, startGuichetServer } from "../../sync-server/server";
import { basicAuth, call } from "./support/http";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";

function startServer(tc: TestCouch, extra: Partial<GuichetServerOptions> = {}): Promise<GuichetServer> {
  const sa = tc.bootstrapped.serviceAccounts;
  return startGuichetServer({
    couch: tc.couch,
    commune: tc.commune,
    port: 0,
    jobs: false,
    log: () => undefined,
    mail: { retryBaseMs: 200, leaseMs: 5_000 },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    ...extra,
  });
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const about = (messages: ReceivedMail[], id: string) =>
  messages.filter((m) => m.subject.includes(formatTrackingNumber(id)));
const subjects = (messages: ReceivedMail[]) => messages.map((m) => m.subject.split(" – ")[0]);

describe("notices to the citizen at every step (real SMTP sink, exactly once)", () => {
  let tc: TestCouch;
  let sink: SmtpSink;
  let agent: TestUser;
  let seq = 100;

  beforeAll(async () => {
    tc = await startTestCouch();
    sink = await startSmtpSink();
    agent = await tc.createUser("notices", ["agent", "service_agent"], ["scolaire", "accueil"]);
  });
  afterAll(async () => {
    await sink?.stop();
    await tc?.stop();
  });

  const mainUrl = () => tc.dbUrl("main");
  const auth = () => basicAuth(agent);

  async function record(email: string | undefined, address = false): Promise<GuichetRequest> {
    const d = findDemarche(DEFAULT_CATALOGUE, "aide_restauration_scolaire");
    if (!d) throw new Error("démarche");
    seq += 1;
    const built = newRequest(
      {
        demarche: d.id,
        channel: "telephone",
        subject: d.label,
        fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
        citizen: {
          firstName: "Louis",
          lastName: "Avis",
          ...(email ? { email } : {}),
          ...(address ? { address: { line: "3 rue du Port", postcode: "13002", city: "Marseille" } } : {}),
        },
        attachments: [],
      },
      {
        commune: tc.commune,
        tracking: makeTrackingNumber("K7N", seq),
        demarche: d,
        policy: DEMO_COMMUNE.policy,
        by: agent.name,
        workstation: "K7N",
        now: new Date().toISOString(),
      },
    );
    if (!built.ok) throw new Error(JSON.stringify(built.issues));
    const res = await fetch(`${mainUrl()}/${built.request.id}`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: auth() },
      body: JSON.stringify(built.request),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return built.request;
  }

  /** Appends a status event as the agent; read-modify-write, again when the server's outbox wrote meanwhile. */
  async function move(
    id: string,
    from: Status,
    to: Status,
    extra: Partial<RequestEvent> = {},
  ): Promise<void> {
    const at = new Date().toISOString();
    const event = {
      id: newEventId(at, "K7N"),
      at,
      by: agent.name,
      workstation: "K7N",
      kind: "status",
      from,
      to,
      ...extra,
    } as RequestEvent;
    for (let attempt = 0; ; attempt++) {
      const current = (await (
        await fetch(`${mainUrl()}/${id}`, { headers: { authorization: auth() } })
      ).json()) as GuichetRequest & { _rev: string };
      const res = await fetch(`${mainUrl()}/${id}`, {
        method: "PUT",
        headers: { "content-type": "application/json", authorization: auth() },
        body: JSON.stringify(withEvents(current, [event])),
      });
      if (res.status === 201) break;
      // A concurrent server write: 409 on CouchDB, a "removed event" 403 on PouchDB Server.
      if (attempt >= 5 || (res.status !== 409 && res.status !== 403)) {
        expect(res.status, await res.text()).toBe(201);
      }
      await pause(100);
    }
    await pause(20); // distinct event times
  }

  it("tells the citizen of missing pieces, the answer and the closure, once each, whatever the processes", async () => {
    const a = await startServer(tc, { smtpUrl: sink.url, instanceId: "notices-a" });
    const b = await startServer(tc, { smtpUrl: sink.url, instanceId: "notices-b" });
    try {
      const r = await record("louis.avis@example.org");
      await waitFor("AR", () => about(sink.messages(), r.id).length >= 1);
      await move(r.id, "received", "incomplete", {
        missingPieces: ["Avis d'imposition 2025", "<b>Attestation</b> CAF"],
        piecesDueOn: "2030-01-15",
      });
      await waitFor("pièces manquantes", () => about(sink.messages(), r.id).length >= 2);
      await move(r.id, "incomplete", "in_progress");
      await move(r.id, "in_progress", "answered", { answer: "Tarif réduit accordé à compter du 1er mars." });
      await move(r.id, "answered", "closed");
      await waitFor("réponse et clôture", () => about(sink.messages(), r.id).length >= 4);
      await pause(2_000);

      const mails = about(sink.messages(), r.id);
      expect(subjects(mails)).toEqual([
        "Accusé de réception",
        "Pièces manquantes",
        "Réponse à votre demande",
        "Demande traitée",
      ]);
      const [, pieces, answer, closed] = mails;
      expect(pieces?.text).toContain("« Avis d'imposition 2025 », « <b>Attestation</b> CAF »");
      expect(pieces?.text).toContain("au plus tard le 15 janvier 2030");
      expect(pieces?.text).toContain("réputée rejetée est suspendu jusqu'à la réception de ces pièces");
      // Agent text is text in the HTML part.
      expect(pieces?.html).toContain("&lt;b&gt;Attestation&lt;/b&gt;");
      expect(pieces?.html).not.toContain("<b>Attestation</b>");
      expect(answer?.text).toContain("Notre réponse : Tarif réduit accordé à compter du 1er mars.");
      expect(closed?.text).toContain("est terminé depuis le");
      for (const m of mails.slice(1)) {
        expect(m.to).toContain("louis.avis@example.org");
        expect(m.text).toContain(tc.bootstrapped.settings.name);
      }

      // The history says what was sent and when: one message_sent per notice.
      const doc = (await tc.admin
        .use<GuichetRequest>(tc.dbName("main"))
        .get(r.id)) as unknown as GuichetRequest;
      const noticeRefs = doc.events.filter((e) => e.kind === "status").map((e) => e.id);
      const sent = doc.events.flatMap((e) => (e.kind === "message_sent" ? [e.ref] : []));
      // in_progress owes nothing; incomplete, answered and closed one each.
      expect(sent.filter((ref) => noticeRefs.includes(ref))).toHaveLength(3);
      expect(new Set(sent).size).toBe(sent.length);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("names the administration a request was forwarded to (L114-2), and says when one is cancelled", async () => {
    const server = await startServer(tc, { smtpUrl: sink.url, instanceId: "notices-c" });
    try {
      const forwarded = await record("fwd@example.org");
      const cancelled = await record("annule@example.org");
      await move(forwarded.id, "received", "forwarded", {
        forwardedTo: "Caisse d'allocations familiales du Rhône",
      });
      await move(cancelled.id, "received", "cancelled", { reason: "Doublon" });
      await waitFor(
        "transmission et annulation",
        () =>
          about(sink.messages(), forwarded.id).some((m) => m.subject.startsWith("Demande transmise")) &&
          about(sink.messages(), cancelled.id).some((m) => m.subject.startsWith("Demande annulée")),
      );
      // The competent administration issues the AR (L114-2): the notice is the only mail.
      await pause(1_000);
      expect(subjects(about(sink.messages(), forwarded.id))).toEqual([
        "Demande transmise à l'administration compétente",
      ]);
      const fwd = about(sink.messages(), forwarded.id).find((m) => m.subject.startsWith("Demande transmise"));
      expect(fwd?.text).toContain("Elle a été transmise le");
      expect(fwd?.text).toContain("à : Caisse d'allocations familiales du Rhône.");
      expect(fwd?.text).toContain("article L. 114-2");
      const cancel = about(sink.messages(), cancelled.id).find((m) =>
        m.subject.startsWith("Demande annulée"),
      );
      expect(cancel?.text).toContain("a été annulée le");
    } finally {
      await server.stop();
    }
  });

  it("announces an implicit rejection with the voies de recours", async () => {
    const r = await record("implicite@example.org");
    // Two months and a half later: the deadline watcher records the implicit rejection.
    const later = new Date(Date.now() + 75 * 86_400_000);
    const server = await startServer(tc, { smtpUrl: sink.url, instanceId: "notices-d", now: () => later });
    try {
      await server.runDailyJobs();
      await waitFor("décision implicite", () =>
        about(sink.messages(), r.id).some((m) => m.subject.startsWith("Décision implicite de rejet")),
      );
      const mail = about(sink.messages(), r.id).find((m) =>
        m.subject.startsWith("Décision implicite de rejet"),
      );
      expect(mail?.text).toContain("est réputée rejetée depuis le");
      expect(mail?.text).toContain("recours contentieux devant le");
      expect(mail?.text).toContain("Télérecours citoyens");
    } finally {
      await server.stop();
    }
  });

  it("prints the same notice as a letter for a citizen without an email, with its text", async () => {
    const server = await startServer(tc, { smtpUrl: sink.url, instanceId: "notices-e" });
    try {
      const r = await record(undefined, true);
      await move(r.id, "received", "incomplete", {
        missingPieces: ["Livret de famille"],
        piecesDueOn: "2030-02-01",
      });
      const doc = (await tc.admin
        .use<GuichetRequest>(tc.dbName("main"))
        .get(r.id)) as unknown as GuichetRequest;
      const event = doc.events.find((e) => e.kind === "status");
      const url = `${server.url}/api/v1/requests/${r.id}/notices/${event?.id}.pdf`;
      const res = await fetch(url, { headers: { authorization: auth() } });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("application/pdf");
      const dir = mkdtempSync(path.join(tmpdir(), "guichet-letter-"));
      writeFileSync(path.join(dir, "l.pdf"), Buffer.from(await res.arrayBuffer()));
      execFileSync("pdftotext", ["-layout", path.join(dir, "l.pdf"), path.join(dir, "l.txt")]);
      const text = readFileSync(path.join(dir, "l.txt"), "utf8").replace(/\s+/g, " ");
      expect(text).toContain("Objet : Pièces manquantes");
      expect(text).toContain("Louis Avis");
      expect(text).toContain("13002 Marseille");
      expect(text).toContain("« Livret de famille »");
      expect(text).toContain("au plus tard le 1er février 2030");
      // No email, so nothing was mailed for it.
      await pause(1_000);
      expect(about(sink.messages(), r.id)).toEqual([]);
      // Anonymous and unknown events are refused.
      expect((await fetch(url)).status).toBe(401);
      const created = doc.events.find((e) => e.kind === "created");
      expect(
        (
          await fetch(`${server.url}/api/v1/requests/${r.id}/notices/${created?.id}.pdf`, {
            headers: { authorization: auth() },
          })
        ).status,
      ).toBe(404);
    } finally {
      await server.stop();
    }
  });
  it("sends the démarche's own wording once its admin saved it, escaped, legal mentions kept, versioned", async () => {
    const admin = await tc.createUser("modeles", ["admin"]);
    const first = await startServer(tc, { smtpUrl: sink.url, instanceId: "notices-f" });
    const url = `${first.url}/api/v1/admin/demarches/aide_restauration_scolaire/notices`;
    const templates = {
      answered: {
        subject: "Votre dossier {demarche} : notre réponse",
        body: "Bonjour,\n\nLe {date}, la commune a décidé : {reponse}\n\nLe service scolaire de {commune}",
      },
    };
    try {
      expect((await call("GET", url, admin)).body).toMatchObject({ version: 0, templates: {} });
      // Only admins, on the server.
      const refused = await call("PUT", url, agent, { templates });
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).toContain("Seuls les administrateurs modifient les courriers");
      // A placeholder the kind does not offer is refused in French, naming the possible ones.
      const wrong = await call("PUT", url, admin, {
        templates: { answered: { subject: "{reponse}", body: "x" } },
      });
      expect(wrong.status).toBe(422);
      expect(JSON.stringify(wrong.body)).toContain("Champ inconnu {reponse} : champs possibles {numero}");
      expect((await call("PUT", url, admin, { templates, baseVersion: 0 })).status).toBe(200);
      const stale = await call("PUT", url, admin, { templates, baseVersion: 0 });
      expect(stale.status).toBe(409);
      const again = await call("PUT", url, admin, { templates, baseVersion: 1 });
      expect(again.body).toMatchObject({ version: 2 });
      expect((await call("GET", url, admin)).body).toMatchObject({ version: 2, history: [{ version: 1 }] });
    } finally {
      await first.stop();
    }

    // A server started now reads the templates (a running one follows -config).
    const server = await startServer(tc, { smtpUrl: sink.url, instanceId: "notices-g" });
    try {
      const r = await record("modele@example.org");
      await move(r.id, "received", "incomplete", { missingPieces: ["RIB"], piecesDueOn: "2030-03-01" });
      await move(r.id, "incomplete", "in_progress");
      await move(r.id, "in_progress", "answered", { answer: "<script>alert(1)</script> tarif réduit" });
      await waitFor("réponse selon le modèle", () =>
        about(sink.messages(), r.id).some((m) => m.subject.startsWith("Votre dossier")),
      );
      const mails = about(sink.messages(), r.id);
      // A kind without a template keeps the default wording.
      expect(mails.find((m) => m.subject.startsWith("Pièces manquantes"))?.text).toContain("« RIB »");
      const answer = mails.find((m) => m.subject.startsWith("Votre dossier"));
      expect(answer?.subject).toBe(
        `Votre dossier Restauration scolaire : tarif réduit ou aide : notre réponse – demande n° ${formatTrackingNumber(r.id)}`,
      );
      expect(answer?.text).toContain("la commune a décidé : <script>alert(1)</script> tarif réduit");
      expect(answer?.text).toContain(`Le service scolaire de ${tc.bootstrapped.settings.name}`);
      expect(answer?.text).toContain("Pour suivre votre demande");
      expect(answer?.html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; tarif réduit");
      expect(answer?.html).not.toContain("<script>");
      expect(answer?.text).not.toContain("Notre réponse :");

      // The letter of the same event says what the mail said.
      const doc = (await tc.admin
        .use<GuichetRequest>(tc.dbName("main"))
        .get(r.id)) as unknown as GuichetRequest;
      const answeredEvent = doc.events.find((e) => e.kind === "status" && e.to === "answered");
      const res = await fetch(`${server.url}/api/v1/requests/${r.id}/notices/${answeredEvent?.id}.pdf`, {
        headers: { authorization: auth() },
      });
      expect(res.status).toBe(200);
      const dir = mkdtempSync(path.join(tmpdir(), "guichet-letter-"));
      writeFileSync(path.join(dir, "l.pdf"), Buffer.from(await res.arrayBuffer()));
      execFileSync("pdftotext", ["-layout", path.join(dir, "l.pdf"), path.join(dir, "l.txt")]);
      const letter = readFileSync(path.join(dir, "l.txt"), "utf8").replace(/\s+/g, " ");
      expect(letter).toContain("Votre dossier Restauration scolaire : tarif réduit ou aide : notre réponse");
      expect(letter).toContain("la commune a décidé : <script>alert(1)</script> tarif réduit");
    } finally {
      await server.stop();
    }
  });
});
