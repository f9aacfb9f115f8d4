import { describe, expect, it } from "vitest";
import { withEvents } from "./history";
import { eventSchema, type GuichetRequest, requestSchema } from "./request";
import { buildRequest, ev, WS_B } from "./test-fixtures";
import { makeTrackingNumber } from "./tracking-number";

const issues = (doc: unknown) => {
  const r = requestSchema.safeParse(doc);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
};

describe("requestSchema", () => {
  it("accepts what newRequest builds, unchanged", () => {
    for (const id of [
      "aide_restauration_scolaire",
      "signalement_voirie",
      "autorisation_buvette",
      "ccas_aide",
    ]) {
      const r = buildRequest(id, { content: { channel: "courrier", postmarkOn: "2026-03-11" } });
      expect(requestSchema.parse(r)).toStrictEqual(r);
    }
  });

  it("accepts a request with every kind of event", () => {
    const r = withEvents(buildRequest("aide_restauration_scolaire"), [
      ev.status(
        "2026-03-13T09:00:00Z",
        "received",
        "incomplete",
        {},
        {
          missingPieces: ["Avis d'imposition"],
          piecesDueOn: "2026-04-13",
          reason: "Quotient manquant",
        },
      ),
      ev.assigned("2026-03-13T09:01:00Z", "scolaire", "sa.bernard"),
      ev.note("2026-03-13T09:02:00Z", "Appel\nsur deux lignes"),
      ev.arSent("2026-03-13T09:03:00Z", "print"),
      ev.registrationSent("2026-03-13T09:04:00Z", "lea.martin@example.org"),
      ev.implicitDecision("2026-06-13T00:05:00+02:00", "rejection", "2026-06-12"),
      ev.deadlineFlagged("2026-06-01T00:05:00+02:00", "2026-06-12", "urgent"),
      ev.duplicateLinked("2026-03-13T09:05:00Z", makeTrackingNumber(WS_B, 3)),
    ]);
    expect(issues(r)).toEqual([]);
  });

  it("refuses an unknown key", () => {
    expect(issues({ ...buildRequest("demande_generale"), admin: true })).toEqual([
      { path: "", message: 'Clé non reconnue : "admin"' },
    ]);
  });

  it("refuses a bad tracking number", () => {
    const r = buildRequest("demande_generale");
    expect(issues({ ...r, tracking: "k7m-0001" })).toEqual([
      { path: "tracking", message: "Numéro de suivi invalide." },
    ]);
  });

  it("refuses an event with a bad id, time or author", () => {
    const r = buildRequest("demande_generale");
    const note = ev.note("2026-03-13T09:00:00Z", "x");
    const doc = (e: object): GuichetRequest => ({
      ...r,
      events: [...r.events, e as GuichetRequest["events"][number]],
    });
    expect(issues(doc({ ...note, id: "../../_design/x" })).map((i) => i.path)).toEqual(["events.1.id"]);
    expect(issues(doc({ ...note, at: "2026-03-13 09:00" }))).toEqual([
      { path: "events.1.at", message: "Horodatage invalide." },
    ]);
    expect(issues(doc({ ...note, by: "Admin" }))).toEqual([
      { path: "events.1.by", message: "Identifiant invalide." },
    ]);
    expect(issues(doc({ ...note, workstation: "k7" }))).toEqual([
      { path: "events.1.workstation", message: "Code de poste invalide." },
    ]);
  });

  it("refuses an event of an unknown kind or with an extra key", () => {
    const note = ev.note("2026-03-13T09:00:00Z", "x");
    expect(eventSchema.safeParse({ ...note, kind: "deleted" }).success).toBe(false);
    expect(eventSchema.safeParse({ ...note, extra: 1 }).success).toBe(false);
  });

  it("refuses a request without events, or with a projection that is not a date", () => {
    const r = buildRequest("demande_generale");
    expect(issues({ ...r, events: [] }).map((i) => i.path)).toEqual(["events"]);
    expect(issues({ ...r, dueOn: "bientôt" })).toEqual([
      { path: "dueOn", message: "Date invalide (format attendu : AAAA-MM-JJ)." },
    ]);
  });

  it("refuses a forged schema version and a non-request type", () => {
    const r = buildRequest("demande_generale");
    expect(issues({ ...r, schemaVersion: 2 }).map((i) => i.path)).toEqual(["schemaVersion"]);
    expect(issues({ ...r, type: "user" }).map((i) => i.path)).toEqual(["type"]);
  });

  it("refuses an attachment that is not a PDF or an image, or too large", () => {
    const r = buildRequest("demande_generale");
    const attachment = {
      id: "att_12345678",
      name: "justificatif.pdf",
      mime: "application/pdf",
      size: 1024,
      sha256: "a".repeat(64),
    };
    expect(issues({ ...r, attachments: [attachment] })).toEqual([]);
    expect(issues({ ...r, attachments: [{ ...attachment, mime: "text/html" }] }).map((i) => i.path)).toEqual([
      "attachments.0.mime",
    ]);
    expect(
      issues({ ...r, attachments: [{ ...attachment, size: 20 * 1024 * 1024 }] }).map((i) => i.path),
    ).toEqual(["attachments.0.size"]);
  });
});
