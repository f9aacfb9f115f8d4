import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatTrackingNumber } from "../../domain/tracking-number";
import type { OutboxDoc } from "../../sync-server/mail/outbox";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "../../sync-server/mail/smtp-sink";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { type KillableGuichet, startKillableGuichet } from "../support/killable-guichet";
import { waitFor } from "./support/wait";

/**
 * The outbox's claims are written by the server account's grouped client (in-process on the
 * embedded server, couch/in-process-db.ts): a server killed with SIGKILL after claiming its
 * accusés and before the SMTP server accepted them sends each one once on restart.
 */
describe("accusés across a kill -9 between claim and send", () => {
  let sink: SmtpSink;
  let g: KillableGuichet;

  beforeAll(async () => {
    sink = await startSmtpSink();
    sink.setFailure(451);
    const before = process.env.SMTP_URL;
    process.env.SMTP_URL = sink.url;
    try {
      g = await startKillableGuichet();
    } finally {
      if (before === undefined) delete process.env.SMTP_URL;
      else process.env.SMTP_URL = before;
    }
  }, 120_000);
  afterAll(async () => {
    await g?.stop();
    await sink?.stop();
  });

  const about = (messages: ReceivedMail[], id: string) =>
    messages.filter((m) => m.subject.includes(formatTrackingNumber(id)));

  it("sends the accusé d'enregistrement and the AR once each after the restart", async () => {
    const res = await fetch(`${g.url}/api/v1/requests`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        demarche: "aide_restauration_scolaire",
        fields: { enfant: "Léa Martin", ecole: "École Jules-Ferry" },
        citizen: {
          firstName: "Camille",
          lastName: "Durand",
          email: "camille.durand@example.org",
          address: { line: "3 rue du Port", postcode: "13002", city: "Marseille" },
        },
      }),
    });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const outbox = g.admin.use<OutboxDoc>(serverDatabaseName(g.commune));
    const claim = (kind: string) => outbox.get(`outbox:${id}:${kind}`).catch(() => null);
    // Claimed, tried, refused by the SMTP server: nothing delivered yet.
    await waitFor("accusé réservé et tenté", async () => ((await claim("registration"))?.attempts ?? 0) >= 1);
    expect((await claim("registration"))?.state).toBe("pending");
    expect(about(sink.messages(), id)).toHaveLength(0);

    await g.kill9();
    sink.setFailure(null);
    await g.start();

    await waitFor("deux accusés après le redémarrage", () => about(sink.messages(), id).length >= 2, 30_000);
    await waitFor("AR enregistré", async () => (await claim("ar"))?.state === "recorded", 15_000);
    // Time for a second send, had there been one.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(about(sink.messages(), id).map((m) => m.subject.split(" – ")[0])).toEqual([
      "Accusé d'enregistrement électronique",
      "Accusé de réception électronique",
    ]);
    const doc = (await g.admin.use(g.mainDb).get(id)) as unknown as {
      events: { kind: string }[];
    };
    expect(doc.events.filter((e) => e.kind === "registration_sent")).toHaveLength(1);
    expect(doc.events.filter((e) => e.kind === "ar_sent")).toHaveLength(1);
  }, 120_000);
});
