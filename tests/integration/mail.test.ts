import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findDemarche } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { newEventId } from "../../domain/history";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber, makeTrackingNumber } from "../../domain/tracking-number";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "../../sync-server/mail/smtp-sink";
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
    limits: { submitPerMinute: 1000 },
    mail: { retryBaseMs: 200, leaseMs: 5_000 },
    env: { GUICHET_PORTAL_PASSWORD: sa.portal.password, GUICHET_SERVER_PASSWORD: sa.server.password },
    ...extra,
  });
}

async function waitFor(
  cond: () => Promise<boolean> | boolean,
  timeoutMs = 20_000,
  label = "condition",
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${label} : délai dépassé`);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function submit(server: GuichetServer, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/api/v1/requests`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const onlineSubmission = (lastName: string, email: string, firstName = "Camille") => ({
  demarche: "aide_restauration_scolaire",
  fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
  citizen: {
    firstName,
    lastName,
    email,
    address: { line: "3 rue du Port", postcode: "13002", city: "Marseille" },
  },
});

const about = (messages: ReceivedMail[], trackingNumber: string) =>
  messages.filter((m) => m.subject.includes(formatTrackingNumber(trackingNumber)));

describe("accusés by email (real SMTP sink, exactly once)", () => {
  let tc: TestCouch;
  let sink: SmtpSink;
  let agent: TestUser;

  beforeAll(async () => {
    tc = await startTestCouch();
    sink = await startSmtpSink();
    agent = await tc.createUser("agent", ["agent", "service_agent"], ["scolaire", "accueil"]);
  });
  afterAll(async () => {
    await sink?.stop();
    await tc?.stop();
  });

  const mainDoc = async (id: string) =>
    (await tc.admin.use<GuichetRequest>(tc.dbName("main")).get(id)) as unknown as GuichetRequest;
  const claim = async (id: string, kind: string) =>
    (await tc.admin
      .use(serverDatabaseName(tc.commune))
      .get(`outbox:${id}:${kind}`)
      .catch(() => null)) as unknown as { state: string; attempts: number; lastError?: string } | null;

  it("sends the accusé d'enregistrement then the AR with the R112-5 mentions, citizen text escaped", async () => {
    const server = await startServer(tc, { smtpUrl: sink.url });
    try {
      const res = await submit(
        server,
        onlineSubmission('<script>alert("x")</script>', "xss@example.org", "<img src=x onerror=alert(1)>"),
      );
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      await waitFor(() => about(sink.messages(), id).length >= 2, 20_000, "deux accusés");
      const [registration, ar] = about(sink.messages(), id);

      expect(registration?.subject).toMatch(/^Accusé d'enregistrement électronique – demande n° /);
      expect(registration?.text).toContain("ne vaut pas accusé de réception");
      expect(ar?.subject).toMatch(/^Accusé de réception électronique – demande n° /);
      expect(ar?.to).toEqual(["xss@example.org"]);
      expect(ar?.messageId).toBe(`<ar.${id}.${tc.commune}@mairie.example>`);
      // R112-5 / R112-11-1: receipt date, implicit-decision date with the reserve, service, appeal routes.
      for (const mention of [
        "Date de réception",
        "Rejet le ",
        "sous réserve que le dossier soit complet",
        "Service Enfance et scolaire",
        "Mairie annexe, rue des Écoles",
        "01 00 00 00 05",
        "recours contentieux devant le Tribunal administratif",
      ]) {
        expect(ar?.text).toContain(mention);
      }

      // The payloads are text in the HTML part, never markup.
      for (const m of [registration, ar]) {
        expect(m?.html).not.toMatch(/<script|<img/i);
      }
      expect(ar?.html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
      expect(ar?.html).toContain("&lt;img src=x onerror=alert(1)&gt;");
      // The subject carries no citizen text; the display name is encoded, not raw.
      expect(ar?.headers.subject ?? "").not.toContain("script");

      // Recorded once the SMTP server accepted each message.
      await waitFor(async () => (await mainDoc(id)).arSent, 10_000, "ar_sent enregistré");
      const doc = await mainDoc(id);
      expect(doc.events.filter((e) => e.kind === "registration_sent")).toHaveLength(1);
      expect(doc.events.filter((e) => e.kind === "ar_sent")).toHaveLength(1);
      expect(doc.events.find((e) => e.kind === "ar_sent")).toMatchObject({
        by: tc.bootstrapped.serviceAccounts.server.name,
        via: "email",
        to: "xss@example.org",
      });
    } finally {
      await server.stop();
    }
  });

  it("refuses a name that would inject a mail header, and sends nothing", async () => {
    const server = await startServer(tc, { smtpUrl: sink.url });
    try {
      const before = sink.messages().length;
      const res = await submit(
        server,
        onlineSubmission("Martin\r\nBcc: victime@example.org", "header@example.org"),
      );
      expect(res.status).toBe(422);
      const errors = ((await res.json()) as { errors: { field: string; message: string }[] }).errors;
      expect(errors).toContainEqual({ field: "citizen.lastName", message: "Caractère non autorisé." });
      await pause(500);
      expect(sink.messages().length).toBe(before);
      expect(sink.messages().some((m) => m.to.includes("victime@example.org"))).toBe(false);
    } finally {
      await server.stop();
    }
  });

  it("sends exactly one of each accusé when the server restarts while SMTP is failing", async () => {
    sink.setFailure(451);
    const first = await startServer(tc, { smtpUrl: sink.url });
    let id = "";
    try {
      const res = await submit(first, onlineSubmission("Redémarrage", "restart@example.org"));
      id = ((await res.json()) as { id: string }).id;
      // Claimed and tried at least twice, nothing delivered.
      await waitFor(
        async () => ((await claim(id, "registration"))?.attempts ?? 0) >= 2,
        20_000,
        "deux échecs SMTP",
      );
      expect((await claim(id, "registration"))?.lastError).toMatch(/451/);
      expect(about(sink.messages(), id)).toHaveLength(0);
    } finally {
      await first.stop();
    }
    sink.setFailure(null);

    const second = await startServer(tc, { smtpUrl: sink.url });
    try {
      await waitFor(() => about(sink.messages(), id).length >= 2, 20_000, "accusés après redémarrage");
      await waitFor(async () => (await claim(id, "ar"))?.state === "recorded", 10_000, "AR enregistré");
      // A new revision of the request (an agent's note) goes through the changes feed again.
      const doc = await mainDoc(id);
      const at = new Date().toISOString();
      const note = {
        id: newEventId(at, "K7M"),
        at,
        by: agent.name,
        workstation: "K7M",
        kind: "note" as const,
        text: "Rappel",
      };
      const put = await fetch(`${tc.dbUrl("main")}/${id}`, {
        method: "PUT",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${agent.name}:${agent.password}`).toString("base64")}`,
        },
        body: JSON.stringify({ ...doc, events: [...doc.events, note] }),
      });
      expect(put.status).toBe(201);
      await pause(1_500);
    } finally {
      await second.stop();
    }
    // And once more after another restart.
    const third = await startServer(tc, { smtpUrl: sink.url });
    await pause(1_500);
    await third.stop();

    const mails = about(sink.messages(), id);
    expect(mails.map((m) => m.subject.split(" – ")[0])).toEqual([
      "Accusé d'enregistrement électronique",
      "Accusé de réception électronique",
    ]);
    const doc = await mainDoc(id);
    expect(doc.events.filter((e) => e.kind === "registration_sent")).toHaveLength(1);
    expect(doc.events.filter((e) => e.kind === "ar_sent")).toHaveLength(1);
    expect((await claim(id, "registration"))?.state).toBe("recorded");
  });

  it("sends one AR for a request recorded at a counter, with two server processes following the database", async () => {
    const a = await startServer(tc, { smtpUrl: sink.url, instanceId: "process-a" });
    const b = await startServer(tc, { smtpUrl: sink.url, instanceId: "process-b" });
    try {
      const record = (seq: number, demarche: string, email: string | undefined) => {
        const d = findDemarche(DEFAULT_CATALOGUE, demarche);
        if (!d) throw new Error(demarche);
        const built = newRequest(
          {
            demarche,
            channel: "guichet",
            subject: d.label,
            fields:
              demarche === "acte_naissance"
                ? {
                    personne: "Léa Martin",
                    dateActe: "2010-05-04",
                    typeCopie: "copie_integrale",
                    delivrance: "guichet",
                  }
                : { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
            citizen: { firstName: "Louis", lastName: "Guichet", ...(email ? { email } : {}) },
            attachments: [],
          },
          {
            commune: tc.commune,
            tracking: makeTrackingNumber("K7M", seq),
            demarche: d,
            policy: DEMO_COMMUNE.policy,
            by: agent.name,
            workstation: "K7M",
            now: new Date().toISOString(),
          },
        );
        if (!built.ok) throw new Error(JSON.stringify(built.issues));
        return built.request;
      };
      const owed = record(1, "aide_restauration_scolaire", "counter@example.org");
      const noEmail = record(2, "aide_restauration_scolaire", undefined);
      const notOwed = record(3, "acte_naissance", "acte@example.org");
      const res = await fetch(`${tc.dbUrl("main")}/_bulk_docs`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Basic ${Buffer.from(`${agent.name}:${agent.password}`).toString("base64")}`,
        },
        body: JSON.stringify({ docs: [owed, noEmail, notOwed].map((r) => ({ _id: r.id, ...r })) }),
      });
      expect((await res.json()) as unknown[]).toHaveLength(3);

      await waitFor(() => about(sink.messages(), owed.id).length >= 1, 20_000, "AR du guichet");
      await pause(2_000);
      const mails = about(sink.messages(), owed.id);
      expect(mails).toHaveLength(1);
      expect(mails[0]?.subject).toMatch(/^Accusé de réception – /); // not electronic: received at the counter
      expect(mails[0]?.text).toContain("reçue au guichet");
      expect(sink.messages().some((m) => m.to.includes("acte@example.org"))).toBe(false);
      const doc = await mainDoc(owed.id);
      expect(doc.events.filter((e) => e.kind === "ar_sent")).toHaveLength(1);
      expect(doc.events.filter((e) => e.kind === "registration_sent")).toHaveLength(0);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it("shows the received messages on /dev/inbox in development mode only", async () => {
    // No SMTP_URL: the server starts its own sink (dev mode). Alone on the database, so no other
    // process claims the mails before it.
    const dev = await startServer(tc);
    try {
      const res = await submit(dev, onlineSubmission("Boîte", "inbox@example.org"));
      const { trackingNumber } = (await res.json()) as { trackingNumber: string };
      await waitFor(() => dev.smtp.messages().length >= 2, 20_000, "messages du puits local");
      const inbox = await (await fetch(`${dev.url}/dev/inbox`)).text();
      expect(inbox).toContain(trackingNumber);
      const first = await fetch(`${dev.url}/dev/inbox/1/html`);
      expect(first.headers.get("content-security-policy")).toContain("sandbox");
    } finally {
      await dev.stop();
    }
    const prod = await startServer(tc, { smtpUrl: sink.url });
    try {
      expect((await fetch(`${prod.url}/dev/inbox`)).status).toBe(404);
    } finally {
      await prod.stop();
    }
  });
});
