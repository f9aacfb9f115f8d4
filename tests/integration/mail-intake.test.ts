import { randomBytes } from "node:crypto";
import MailComposer from "nodemailer/lib/mail-composer";
import type Mail from "nodemailer/lib/mailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, daysBetween } from "../../domain/calendar";
import { hasNewMessage } from "../../domain/conversation";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { chooseDemarche } from "../../domain/demarche-choice";
import { newEventId, parisDate } from "../../domain/history";
import type { GuichetRequest, RequestEvent } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { couchServer } from "../../sync-server/couch/couch-db";
import { imapMailbox } from "../../sync-server/mail-intake/imap-mailbox";
import { DEFAULT_FOLDERS, type MailIntakeConfig } from "../../sync-server/mail-intake/intake-job";
import type { MailRecord } from "../../sync-server/mail-intake/mail-records";
import { applyMailRetention } from "../../sync-server/mail-intake/mail-retention";
import type { Mailbox } from "../../sync-server/mail-intake/mailbox";
import { type GuichetServer, type GuichetServerOptions, startGuichetServer } from "../../sync-server/server";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { type ImapTestServer, startImapServer } from "../support/imap-server";
import { PDF } from "./support/hostile-cases";
import { call } from "./support/http";
import { withNewEvents } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";
import { waitFor } from "./support/wait";

const ADDRESS = "mairie@ville.test";
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(64)]);

type Doc = GuichetRequest & { _id: string; _rev: string };

describe("email door: the mairie's IMAP mailbox (real dovecot) feeds the pipeline", () => {
  let tc: TestCouch;
  let imap: ImapTestServer;
  let server: GuichetServer;
  let agent: TestUser;

  const start = (
    extra: Partial<GuichetServerOptions> = {},
    door: Partial<MailIntakeConfig> & { mailbox?: Mailbox } = {},
  ) => {
    const sa = tc.bootstrapped.serviceAccounts;
    return startGuichetServer({
      couch: tc.couch,
      commune: tc.commune,
      port: 0,
      jobs: false,
      log: () => undefined,
      mail: { retryBaseMs: 200, leaseMs: 5_000 },
      env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
      mailIntake: {
        imapUrl: imap.url,
        address: ADDRESS,
        pollMs: null,
        maxMessageBytes: 8 * 1024 * 1024,
        ...door,
      },
      ...extra,
    });
  };

  beforeAll(async () => {
    tc = await startTestCouch();
    imap = await startImapServer();
    agent = await tc.createUser("agent", ["agent", "service_agent"], ["accueil"]);
    server = await start();
  });
  afterAll(async () => {
    await server?.stop();
    await imap?.stop();
    await tc?.stop();
  });

  const intake = () => {
    const door = server.mailDoor;
    if (!door) throw new Error("no mail door");
    return door.intake.runOnce();
  };
  const mainDb = () => tc.admin.use<Doc>(tc.dbName("main"));
  const byChannel = async () =>
    (await mainDb().find({ selector: { channel: "courriel" }, limit: 1000 })).docs as unknown as Doc[];
  const withSubject = async (subject: string) => (await byChannel()).filter((d) => d.subject === subject);
  const records = async () =>
    (await tc.admin.use(serverDatabaseName(tc.commune)).find({ selector: { type: "mailin" }, limit: 1000 }))
      .docs as unknown as MailRecord[];
  const compose = async (m: Mail.Options & { messageId?: string }) =>
    new MailComposer({ to: ADDRESS, ...m }).compile().build();
  const uid = () => `<${randomBytes(6).toString("hex")}@citoyen.test>`;

  it("files a plain mail as a courriel request dated by its arrival, sends the accusé d'enregistrement, moves the mail", async () => {
    const arrived = new Date("2026-12-01T09:15:00.000Z");
    await imap.append(
      await compose({
        from: { name: "Camille Martin", address: "Camille.Martin@citoyen.test" },
        subject: "Trottoir abîmé rue des Écoles",
        text: "Bonjour,\nle trottoir devant le 12 est défoncé.\nMerci.",
        messageId: uid(),
      }),
      { date: arrived },
    );
    const report = await intake();
    expect(report).toMatchObject({ stored: 1, failed: 0 });
    const [doc] = await withSubject("Trottoir abîmé rue des Écoles");
    expect(doc).toMatchObject({
      channel: "courriel",
      status: "received",
      demarche: "demande_generale",
      citizen: { firstName: "Camille", lastName: "Martin", email: "camille.martin@citoyen.test" },
      receivedAt: arrived.toISOString(),
      receivedOn: "2026-12-01",
    });
    expect(doc?.fields.message).toBe("Bonjour,\nle trottoir devant le 12 est défoncé.\nMerci.");
    expect(await imap.count("INBOX")).toBe(0);
    expect(await imap.count(DEFAULT_FOLDERS.done)).toBe(1);

    // L112-11: the accusé d'enregistrement at once, with a reply address naming the request.
    const id = doc?.id as string;
    const mails = await waitFor("accusé d'enregistrement", () => {
      const m = server.smtp.messages().filter((x) => x.subject.includes(formatTrackingNumber(id)));
      return m.length > 0 && m;
    });
    expect(mails).toHaveLength(1);
    expect(mails[0]?.subject).toMatch(/^Accusé d'enregistrement électronique/);
    expect(mails[0]?.headers["reply-to"]).toContain(`mairie+${id}@ville.test`);
    expect(mails[0]?.text).toContain("répondez simplement à ce message");
  });

  it("keeps a PDF attachment with the portal's checks and its stored bytes", async () => {
    await imap.append(
      await compose({
        from: "leo@citoyen.test",
        subject: "Justificatif de domicile",
        text: "Ci-joint.",
        attachments: [{ filename: "facture.pdf", content: PDF, contentType: "application/pdf" }],
      }),
    );
    expect(await intake()).toMatchObject({ stored: 1 });
    const [doc] = await withSubject("Justificatif de domicile");
    expect(doc?.attachments).toHaveLength(1);
    expect(doc?.attachments[0]).toMatchObject({
      name: "facture.pdf",
      mime: "application/pdf",
      size: PDF.length,
    });
    // No display name: the local part stands for the name, until an agent corrects it.
    expect(doc?.citizen).toMatchObject({ lastName: "leo", email: "leo@citoyen.test" });
  });

  it("neither loses nor doubles a mail when the server stops between storing the request and moving the mail", async () => {
    const crashing: Mailbox = {
      async open() {
        const s = await imapMailbox(imap.url).open();
        return {
          ...s,
          move: async () => {
            throw new Error("crash simulé avant le déplacement");
          },
        };
      },
    };
    const first = await start({}, { mailbox: crashing });
    await imap.append(
      await compose({
        from: "nina@citoyen.test",
        subject: "Redémarrage",
        text: "Une fois.",
        messageId: uid(),
      }),
    );
    try {
      await expect(first.mailDoor?.intake.runOnce()).rejects.toThrow(/crash simulé/);
    } finally {
      await first.stop();
    }
    expect(await withSubject("Redémarrage")).toHaveLength(1);
    expect(await imap.count("INBOX")).toBe(1);

    const second = await start();
    try {
      expect(await second.mailDoor?.intake.runOnce()).toMatchObject({ stored: 1, failed: 0 });
    } finally {
      await second.stop();
    }
    const docs = await withSubject("Redémarrage");
    expect(docs).toHaveLength(1);
    expect(await imap.count("INBOX")).toBe(0);
    // And the same Message-ID delivered again later is the same message: no second request.
    const dup = (await records()).find((r) => r.subject === "Redémarrage");
    expect(dup?.state).toBe("stored");
    expect(dup?.tracking).toBe(docs[0]?.id);
  });

  it("puts automatic replies, bounces, lists and spam in « à vérifier » with the reason, visible to agents", async () => {
    const cases: [string, Record<string, string>][] = [
      ["Absent du bureau", { "Auto-Submitted": "auto-replied" }],
      ["Lettre d'information", { "List-Id": "<news.example.org>", Precedence: "bulk" }],
      ["Gagnez un iPhone", { "X-Spam-Flag": "YES" }],
    ];
    for (const [subject, headers] of cases)
      await imap.append(await compose({ from: "robot@ailleurs.test", subject, text: "…", headers }));
    await imap.append(
      await compose({
        from: "MAILER-DAEMON@relais.test",
        subject: "Undelivered Mail Returned to Sender",
        text: "Delivery failed",
      }),
    );
    const before = (await byChannel()).length;
    expect(await intake()).toMatchObject({ stored: 0, checked: 4 });
    expect((await byChannel()).length).toBe(before);
    expect(await imap.count(DEFAULT_FOLDERS.check)).toBe(4);

    const reply = await call("GET", `${server.url}/api/v1/mail-checks`, agent);
    expect(reply.status).toBe(200);
    const items = (reply.body as { items: { id: string; subject: string; reason: string }[] }).items;
    const reasonOf = (s: string) => items.find((i) => i.subject === s)?.reason;
    expect(reasonOf("Absent du bureau")).toMatch(/Réponse automatique/);
    expect(reasonOf("Lettre d'information")).toMatch(/liste de diffusion/);
    expect(reasonOf("Gagnez un iPhone")).toMatch(/indésirable/);
    expect(reasonOf("Undelivered Mail Returned to Sender")).toMatch(/non-remise/);
    // Anonymous callers see nothing; an agent marks one as handled.
    expect((await call("GET", `${server.url}/api/v1/mail-checks`, null)).status).toBe(401);
    const one = items.find((i) => i.subject === "Gagnez un iPhone");
    const seen = await call(
      "POST",
      `${server.url}/api/v1/mail-checks/${encodeURIComponent(one?.id ?? "")}/seen`,
      agent,
      {},
    );
    expect(seen.status).toBe(200);
    const after = (await call("GET", `${server.url}/api/v1/mail-checks`, agent)).body as {
      items: { id: string }[];
    };
    expect(after.items.map((i) => i.id)).not.toContain(one?.id);
  });

  it("attaches a citizen's reply to its request (with its file), flags it, and an agent's answer leaves once through the outbox", async () => {
    await imap.append(
      await compose({
        from: "Zoé Petit <zoe@citoyen.test>",
        subject: "Banc cassé au parc",
        text: "Le banc est cassé.",
        messageId: uid(),
      }),
    );
    await intake();
    const [doc] = await withSubject("Banc cassé au parc");
    const id = doc?.id as string;
    const ack = await waitFor("accusé", () =>
      server.smtp.messages().find((m) => m.subject.includes(formatTrackingNumber(id))),
    );

    // The citizen answers the accusé: In-Reply-To names the request; a PNG comes with it.
    const replyId = uid();
    await imap.append(
      await compose({
        from: "zoe@citoyen.test",
        to: `mairie+${id}@ville.test`,
        subject: `Re: ${ack.subject}`,
        text: "Voici une photo du banc.",
        inReplyTo: ack.messageId,
        references: ack.messageId,
        messageId: replyId,
        attachments: [{ filename: "banc.png", content: PNG, contentType: "image/png" }],
      }),
    );
    // Someone else quoting the same number is not the citizen: « à vérifier ».
    await imap.append(
      await compose({
        from: "intrus@ailleurs.test",
        subject: `Re: demande n° ${formatTrackingNumber(id)}`,
        text: "Je modifie.",
      }),
    );
    expect(await intake()).toMatchObject({ joined: 1, checked: 1, stored: 0 });
    let stored = (await mainDb().get(id)) as Doc;
    const incoming = stored.events.filter((e) => e.kind === "message_in");
    expect(incoming).toHaveLength(1);
    expect(incoming[0]).toMatchObject({
      from: "zoe@citoyen.test",
      text: "Voici une photo du banc.",
      messageId: replyId,
      attachments: [{ name: "banc.png", mime: "image/png", size: PNG.length }],
    });
    expect(hasNewMessage(stored)).toBe(true);
    const checks = (await records()).filter((r) => r.state === "check" && r.from === "intrus@ailleurs.test");
    expect(checks[0]?.reason).toMatch(/autre adresse que celle du demandeur/);

    // The agent answers from Guichet: an event written as the agent, sent by the server once.
    const at = new Date().toISOString();
    const answerId = newEventId(at, "K7M");
    const res = await fetch(`${tc.dbUrl("main")}/${id}`, {
      method: "PUT",
      headers: {
        "content-type": "application/json",
        authorization: `Basic ${Buffer.from(`${agent.name}:${agent.password}`).toString("base64")}`,
      },
      body: JSON.stringify(
        withNewEvents(stored, {
          id: answerId,
          at,
          by: agent.name,
          workstation: "K7M",
          kind: "message_out",
          to: "zoe@citoyen.test",
          subject: "Re: Banc cassé au parc",
          text: "Merci, les services techniques passent jeudi.",
        }),
      ),
    });
    expect(res.status).toBe(201);
    await server.mailer.process(tc.dbName("main"), (await mainDb().get(id)) as Doc);
    stored = await waitFor("message_sent", async () => {
      const d = (await mainDb().get(id)) as Doc;
      return d.events.some((e) => e.kind === "message_sent") && d;
    });
    const answers = server.smtp.messages().filter((m) => m.messageId.startsWith(`<msg-${answerId}.`));
    expect(answers).toHaveLength(1);
    expect(answers[0]?.to).toEqual(["zoe@citoyen.test"]);
    expect(answers[0]?.text).toContain("les services techniques passent jeudi");
    expect(answers[0]?.headers["reply-to"]).toContain(`mairie+${id}@ville.test`);
    expect(answers[0]?.headers["in-reply-to"]).toBe(replyId);
    expect(answers[0]?.headers["auto-submitted"]).toBeUndefined();
    expect(hasNewMessage(stored)).toBe(false);
    // Processing the request again sends nothing more.
    await server.mailer.process(tc.dbName("main"), stored);
    expect(server.smtp.messages().filter((m) => m.messageId.startsWith(`<msg-${answerId}.`))).toHaveLength(1);
    expect(stored.events.filter((e) => e.kind === "message_sent")).toHaveLength(1);
  });

  it("sends the accusé de réception of a mail only once an agent has chosen its démarche, with the démarche's service and délai, exactly once", async () => {
    const arrived = new Date("2026-12-01T15:00:00.000Z");
    await imap.append(
      await compose({
        from: "Hugo Bernard <hugo@citoyen.test>",
        subject: "Benne devant chez moi",
        text: "Je voudrais poser une benne du 10 au 12.",
        messageId: uid(),
      }),
      { date: arrived },
    );
    await intake();
    const [doc] = await withSubject("Benne devant chez moi");
    const id = doc?.id as string;
    const about = () => server.smtp.messages().filter((m) => m.subject.includes(formatTrackingNumber(id)));
    await waitFor("accusé d'enregistrement", () => about().length === 1);

    // Routing the mail without choosing its démarche sends no AR: its mentions are not known yet.
    const put = (body: unknown, who: TestUser = agent) =>
      fetch(`${tc.dbUrl("main")}/${id}`, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${who.name}:${who.password}`).toString("base64")}`,
        },
        body: JSON.stringify(body),
      });
    const event = <K extends RequestEvent["kind"]>(kind: K, body: object): RequestEvent =>
      ({
        id: newEventId(new Date().toISOString(), "K7M"),
        at: new Date().toISOString(),
        by: agent.name,
        workstation: "K7M",
        kind,
        ...body,
      }) as RequestEvent;
    let stored = await waitFor("registration_sent", async () => {
      const d = (await mainDb().get(id)) as Doc;
      return d.events.some((e) => e.kind === "registration_sent") && d;
    });
    expect(
      (await put(withNewEvents(stored, event("assigned", { service: "accueil", assignee: agent.name }))))
        .status,
    ).toBe(201);
    await server.mailer.process(tc.dbName("main"), (await mainDb().get(id)) as Doc);
    expect(about().map((m) => m.subject)).toEqual([expect.stringMatching(/^Accusé d'enregistrement/)]);

    // Written on the latest revision: on a 3-node cluster the copy read can trail a write made a
    // moment earlier (the server's own jobs write this request too), and the answer is then 409
    // before any rule is checked. Read again and send again, as an attacker would.
    const putOnLatest = async (change: (d: Doc) => unknown) => {
      for (let attempt = 0; ; attempt++) {
        const res = await put(change((await mainDb().get(id)) as Doc));
        if (res.status !== 409 || attempt === 10) return res;
        console.log(`[mail-intake] 409 on ${id}: read again (${attempt + 1})`);
        await new Promise((r) => setTimeout(r, 300));
      }
    };
    // An attacker's shortcuts are refused by the server: the démarche changed without the event,
    // or an event whose démarche the document does not follow.
    const choose = (d: Doc) => {
      const choice = chooseDemarche(d, DEFAULT_CATALOGUE, "occupation_domaine_public");
      if (!choice.ok) throw new Error(choice.error);
      return withNewEvents(d, event("demarche_chosen", choice.body));
    };
    const sneaky = await putOnLatest((d) => ({
      ...d,
      demarche: "occupation_domaine_public",
      rule: { kind: "SVA", months: 1 },
    }));
    expect(sneaky.status).toBe(403);
    expect(((await sneaky.json()) as { reason: string }).reason).toMatch(/choix d'une démarche/);
    const mismatch = await putOnLatest((d) => ({ ...choose(d), rule: { kind: "SVA", months: 1 } }));
    expect(mismatch.status).toBe(403);
    expect(((await mismatch.json()) as { reason: string }).reason).toMatch(/dernière démarche choisie/);

    // The agent chooses the démarche: service and rule of the démarche, délai from the arrival.
    expect((await putOnLatest(choose)).status).toBe(201);
    stored = await waitFor("démarche choisie", async () => {
      const d = (await mainDb().get(id)) as Doc;
      return d.demarche === "occupation_domaine_public" && d;
    });
    expect(stored).toMatchObject({
      demarche: "occupation_domaine_public",
      service: "services_techniques",
      rule: { kind: "SVR", months: 2 },
      receivedOn: "2026-12-01",
      dueOn: "2027-02-01",
    });
    await server.mailer.process(tc.dbName("main"), stored);
    const ar = await waitFor("accusé de réception", () =>
      about().find((m) => m.subject.startsWith("Accusé de réception")),
    );
    expect(ar.to).toEqual(["hugo@citoyen.test"]);
    expect(ar.text).toContain("Autorisation d'occupation du domaine public");
    expect(ar.text).toMatch(/Date de réception\s*:\s*1er décembre 2026/);
    expect(ar.text).toContain("décision implicite de rejet");
    expect(ar.text).toContain("1er février 2027");
    expect(ar.headers["reply-to"]).toContain(`mairie+${id}@ville.test`);
    stored = await waitFor("ar_sent", async () => {
      const d = (await mainDb().get(id)) as Doc;
      return d.arSent && d;
    });
    expect(stored.events.filter((e) => e.kind === "ar_sent")).toHaveLength(1);

    // Exactly once: processing again, or choosing another démarche later, sends no second AR.
    const again = chooseDemarche(stored, DEFAULT_CATALOGUE, "demande_generale");
    if (!again.ok) throw new Error(again.error);
    expect((await put(withNewEvents(stored, event("demarche_chosen", again.body)))).status).toBe(201);
    await server.mailer.process(tc.dbName("main"), (await mainDb().get(id)) as Doc);
    await server.mailer.process(tc.dbName("main"), (await mainDb().get(id)) as Doc);
    expect(about().filter((m) => m.subject.startsWith("Accusé de réception"))).toHaveLength(1);
    expect(about()).toHaveLength(2);
  });

  it("a reply bringing the requested pieces, marked « pièces reçues », resumes the délai from the reply's arrival", async () => {
    const day = 86_400_000;
    const now = Date.now();
    await imap.append(
      await compose({
        from: "Rose Leroy <rose@citoyen.test>",
        subject: "Échafaudage",
        text: "Pour ravaler la façade.",
        messageId: uid(),
      }),
      { date: new Date(now - 20 * day) },
    );
    await intake();
    const [doc] = await withSubject("Échafaudage");
    const id = doc?.id as string;
    const put = async (body: unknown) =>
      fetch(`${tc.dbUrl("main")}/${id}`, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${agent.name}:${agent.password}`).toString("base64")}`,
        },
        body: JSON.stringify(body),
      });
    const event = (at: number, kind: RequestEvent["kind"], body: object) =>
      ({
        id: newEventId(new Date(at).toISOString(), "K7M"),
        at: new Date(at).toISOString(),
        by: agent.name,
        workstation: "K7M",
        kind,
        ...body,
      }) as RequestEvent;
    const choice = chooseDemarche(doc as Doc, DEFAULT_CATALOGUE, "occupation_domaine_public");
    if (!choice.ok) throw new Error(choice.error);
    const fresh = async () =>
      waitFor("écriture du serveur terminée", async () => {
        const d = (await mainDb().get(id)) as Doc;
        return d.events.some((e) => e.kind === "registration_sent") && d;
      });
    let stored = await fresh();
    expect(
      (
        await put(
          withNewEvents(
            stored,
            event(now - 16 * day, "demarche_chosen", choice.body),
            event(now - 15 * day, "status", {
              from: "assigned",
              to: "incomplete",
              missingPieces: ["Plan de situation"],
              piecesDueOn: new Date(now + 30 * day).toISOString().slice(0, 10),
            }),
          ),
        )
      ).status,
    ).toBe(201);
    await imap.append(
      await compose({
        from: "rose@citoyen.test",
        subject: `Re: demande n° ${formatTrackingNumber(id)}`,
        text: "Voici le plan.",
        attachments: [{ filename: "plan.pdf", content: PDF, contentType: "application/pdf" }],
      }),
      { date: new Date(now - 10 * day) },
    );
    expect(await intake()).toMatchObject({ joined: 1 });
    stored = (await mainDb().get(id)) as Doc;
    const reply = stored.events.find((e) => e.kind === "message_in");
    expect(reply?.at).toBe(new Date(Math.floor((now - 10 * day) / 1000) * 1000).toISOString());
    const receivedOn = parisDate(reply?.at as string);
    const marked = event(now, "status", {
      from: "incomplete",
      to: "in_progress",
      piecesReceivedOn: receivedOn,
    });
    const res = await put(withNewEvents(stored, marked));
    expect(res.status).toBe(201);
    const after = (await mainDb().get(id)) as Doc;
    // Marked today, the suspension would have lasted 15 days; it ended with the reply, 5 days in.
    const { piecesReceivedOn: _p, ...unmarked } = marked as Extract<RequestEvent, { kind: "status" }>;
    const ifMarkedToday = withNewEvents(stored, unmarked);
    expect(after.status).toBe("in_progress");
    expect(after.dueOn < ifMarkedToday.dueOn).toBe(true);
    expect(daysBetween(after.dueOn, ifMarkedToday.dueOn)).toBeGreaterThanOrEqual(9);
  });

  it("demo mode: without IMAP, /dev/mairie writes to an in-process mailbox and the same door files the mail", async () => {
    const demo = await start({ mailIntake: { pollMs: null } });
    try {
      expect(demo.mailDoor?.demo).toBeDefined();
      const page = await fetch(`${demo.url}/dev/mairie`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Écrire à la mairie");
      const res = await fetch(`${demo.url}/dev/mairie`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          name: "Inès Roux",
          email: "ines@citoyen.test",
          subject: "Démonstration de la porte",
          text: "Bonjour la mairie.",
        }),
        redirect: "manual",
      });
      expect(res.status).toBe(303);
      const [doc] = await withSubject("Démonstration de la porte");
      expect(doc).toMatchObject({ channel: "courriel", citizen: { firstName: "Inès", lastName: "Roux" } });
      // Both servers watch the same database: whichever outbox claims the accusé first sends it.
      await waitFor("accusé de démonstration", () =>
        [...demo.smtp.messages(), ...server.smtp.messages()].find((m) => m.to.includes("ines@citoyen.test")),
      );
    } finally {
      await demo.stop();
    }
    // Not in production: no SMTP sink, no dev pages, no demo mailbox.
    const prod = await start({ mailIntake: { pollMs: null }, smtpUrl: "smtp://127.0.0.1:1", dev: false });
    try {
      expect(prod.mailDoor).toBeNull();
      expect((await fetch(`${prod.url}/dev/mairie`)).status).toBe(404);
    } finally {
      await prod.stop();
    }
  });

  it("keeps hostile mails inert: header injection, deep MIME nesting, huge attachments and messages, HTML with scripts", async () => {
    // An encoded CR/LF in the subject must not become a header anywhere.
    await imap.append(
      [
        "From: attaquant@ailleurs.test",
        `To: ${ADDRESS}`,
        "Subject: =?utf-8?Q?Bonjour=0D=0ABcc:_victime@exemple.fr?=",
        `Message-ID: ${uid()}`,
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Injection.",
        "",
      ].join("\r\n"),
    );
    // 300 levels of multipart.
    const depth = 300;
    let nestedBody = "Content-Type: text/plain\r\n\r\nTout au fond.\r\n";
    for (let i = 0; i < depth; i++)
      nestedBody = `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n${nestedBody}\r\n--b${i}--\r\n`;
    await imap.append(
      `From: gigogne@ailleurs.test\r\nTo: ${ADDRESS}\r\nSubject: Poupées russes\r\nMessage-ID: ${uid()}\r\nMIME-Version: 1.0\r\n${nestedBody}`,
    );
    // A 5.2 MB PDF (portal limit 5 MB) and a 9 MB message (door limit 8 MB here).
    const bigPdf = Buffer.concat([PDF, Buffer.alloc(5.2 * 1024 * 1024, 0x20)]);
    await imap.append(
      await compose({
        from: "gros@citoyen.test",
        subject: "Gros fichier",
        text: "…",
        attachments: [{ filename: "plan.pdf", content: bigPdf }],
      }),
    );
    await imap.append(
      await compose({ from: "enorme@citoyen.test", subject: "Énorme", text: "x".repeat(9 * 1024 * 1024) }),
    );
    // HTML only, with scripts and handlers.
    await imap.append(
      await compose({
        from: "html@citoyen.test",
        subject: "Message HTML",
        html: '<p>Bonjour <b>la mairie</b></p><script>alert("x")</script><img src=x onerror="alert(1)"><a href="javascript:alert(2)">ici</a>',
      }),
    );
    const report = await intake();
    expect(report.failed).toBe(0);
    expect(await imap.count("INBOX")).toBe(0);

    const all = await byChannel();
    for (const d of all) {
      expect(d.subject).not.toMatch(/[\r\n]/);
      // Text only: no markup survives (a javascript: URL may remain as words, never as a link).
      expect(String(d.fields.message)).not.toMatch(/<script|<img|<a |onerror=|alert\("x"\)/i);
    }
    const injected = all.find((d) => d.citizen.email === "attaquant@ailleurs.test");
    expect(injected?.subject).toBe("Bonjour Bcc: victime@exemple.fr");
    const html = all.find((d) => d.subject === "Message HTML");
    expect(html?.fields.message).toContain("Bonjour");
    // The accusé to the attacker carries no injected header.
    await waitFor("accusé à l'attaquant", () =>
      server.smtp.messages().find((m) => m.to.includes("attaquant@ailleurs.test")),
    );
    for (const m of server.smtp.messages()) expect(m.headers.bcc).toBeUndefined();

    const recs = await records();
    const reason = (from: string) => recs.find((r) => r.from === from);
    expect(reason("gros@citoyen.test")?.reason).toMatch(/trop volumineuse/);
    expect(reason("enorme@citoyen.test")?.reason).toMatch(/Message trop volumineux/);
    // The deep one is either filed or waiting for an agent, never lost.
    const deep = recs.find((r) => r.from === "gigogne@ailleurs.test");
    expect(deep?.state === "stored" || deep?.state === "check").toBe(true);
  });

  it("follows the commune's retention: records and « à vérifier » entries lose their personal data, raw mails leave the mailbox", async () => {
    // A mail that arrived in January 2025, filed and closed today; an auto-reply of the same week;
    // and one of today.
    const now = Date.now();
    await imap.append(
      await compose({
        from: "Ancien Usager <ancien@citoyen.test>",
        subject: "Vieille demande",
        text: "Ma vieille demande.",
        messageId: uid(),
      }),
      { date: new Date("2025-01-10T09:00:00.000Z") },
    );
    const autoReply = async (subject: string, date: Date) =>
      imap.append(
        await compose({
          from: "robot@ancien.test",
          subject,
          text: "Absent.",
          headers: { "Auto-Submitted": "auto-replied" },
        }),
        { date },
      );
    await autoReply("Vieux répondeur", new Date("2025-01-08T09:00:00.000Z"));
    await autoReply("Répondeur récent", new Date(now));
    await intake();
    const [old] = await withSubject("Vieille demande");
    const id = old?.id as string;
    // Received too long ago for any accusé (mailsOwed): nothing else writes to it meanwhile.
    const stored = (await mainDb().get(id)) as Doc;
    const at = (ms: number) => new Date(now + ms).toISOString();
    await mainDb().insert(
      withNewEvents(
        stored,
        {
          id: newEventId(at(1), "K7M"),
          at: at(1),
          by: agent.name,
          workstation: "K7M",
          kind: "status",
          from: stored.status,
          to: "answered",
          answer: "Fait.",
        },
        {
          id: newEventId(at(2), "K7M"),
          at: at(2),
          by: agent.name,
          workstation: "K7M",
          kind: "status",
          from: "answered",
          to: "closed",
        },
      ) as never,
    );
    const recordOf = async (subject: string) => (await records()).find((r) => r.subject === subject);
    const filedId = (await recordOf("Vieille demande"))?._id;
    const checkId = (await recordOf("Vieux répondeur"))?._id;
    const recentId = (await recordOf("Répondeur récent"))?._id;
    expect(filedId && checkId && recentId).toBeTruthy();
    const done = await imap.count(DEFAULT_FOLDERS.done);
    const checked = await imap.count(DEFAULT_FOLDERS.check);

    const byId = async (rid: string | undefined) => (await records()).find((r) => r._id === rid);
    const scrubbed = async (rid: string | undefined) => {
      const r = await byId(rid);
      expect(r).toMatchObject({ from: "", subject: "", messageId: "", scrubbedAt: expect.any(String) });
      expect(r?.excerpt).toBeUndefined();
      expect(JSON.stringify(r)).not.toMatch(/ancien|Vieille|Vieux|Absent/i);
    };
    const checkList = async () =>
      (
        (await call("GET", `${server.url}/api/v1/mail-checks`, agent)).body as { items: { id: string }[] }
      ).items.map((i) => i.id);
    const day = (days: number) => addDays(parisDate(new Date(now).toISOString()), days);

    // In 200 days: the « à vérifier » entry of January 2025 is past the door's 365 days, the
    // request closed today is not yet past its démarche's 365 days after closure. Raw mails go
    // after 730 days (the catalogue's longest) from « traités », 365 days from « à vérifier ».
    const first = await server.runDailyJobs(day(200));
    expect(first.anonymised).not.toContain(id);
    expect(first.mail).toEqual({ scrubbed: 1, purged: 2 });
    await scrubbed(checkId);
    expect(await byId(filedId)).toMatchObject({ subject: "Vieille demande", from: "ancien@citoyen.test" });
    expect(await byId(recentId)).toMatchObject({ subject: "Répondeur récent", from: "robot@ancien.test" });
    expect(await checkList()).toContain(recentId);
    expect(await checkList()).not.toContain(checkId);
    expect(await imap.count(DEFAULT_FOLDERS.done)).toBe(done - 1);
    expect(await imap.count(DEFAULT_FOLDERS.check)).toBe(checked - 1);

    // A year and a day from now: the request is anonymised, and its mail's record with it. The
    // key and the number stay: the same mail delivered again is not filed a second time.
    const second = await server.runDailyJobs(day(366));
    expect(second.anonymised).toContain(id);
    await scrubbed(filedId);
    expect((await byId(filedId))?.tracking).toBe(id);
    // Once a day (daily jobs run hourly), and a pass run again changes nothing.
    expect((await server.runDailyJobs(day(366))).mail).toEqual({ scrubbed: 0, purged: 0 });
    const door = server.mailDoor;
    if (!door) throw new Error("no mail door");
    const again = await applyMailRetention({
      records: door.records,
      requestDb: couchServer(tc.couch.url, { username: tc.adminUser, password: tc.adminPassword }).db(
        tc.dbName("main"),
      ),
      mailbox: imapMailbox(imap.url),
      folders: DEFAULT_FOLDERS,
      catalogue: DEFAULT_CATALOGUE,
      demarche: "demande_generale",
      today: day(366),
      now: () => new Date(),
    });
    expect(again).toEqual({ scrubbed: 0, purged: 0 });
  });
});
