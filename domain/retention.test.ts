import { describe, expect, it } from "vitest";
import { withEvents } from "./history";
import { type GuichetRequest, requestSchema } from "./request";
import { ANONYMISED_NAME, anonymise, retentionEndsOn } from "./retention";
import { buildRequest, ev } from "./test-fixtures";

const AT = "2027-01-15T02:00:00Z";

function closedRequest(demarcheId = "signalement_voirie"): GuichetRequest {
  const r = buildRequest(demarcheId, {
    ctx: { followUpCode: "7QKD3MWX" },
    content: {
      channel: "courrier",
      postmarkOn: "2026-03-10",
      filedBy: { name: "Paul Martin", relation: "Voisin" },
      attachments: [
        { id: "photo_0001", name: "lampadaire.jpg", mime: "image/jpeg", size: 2048, sha256: "b".repeat(64) },
      ],
    },
  });
  return withEvents(r, [
    ev.assigned("2026-03-13T09:00:00Z", r.service, "st.moreau"),
    ev.note("2026-03-13T09:05:00Z", "Mme Martin habite au 12, code porte 1234."),
    ev.arSent("2026-03-13T09:10:00Z", "email", "lea.martin@example.org"),
    ev.registrationSent("2026-03-12T08:31:00Z", "lea.martin@example.org"),
    ev.status(
      "2026-03-20T09:00:00Z",
      "assigned",
      "answered",
      {},
      { answer: "Réparé. Cordialement, à Mme Martin." },
    ),
    ev.status("2026-03-21T09:00:00Z", "answered", "closed", {}, { reason: "Fait" }),
  ]);
}

describe("anonymise", () => {
  const before = closedRequest();
  const after = anonymise(before, AT, "server", "SRV");

  it("removes the citizen, fields, attachments, subject and who filed", () => {
    expect(after.citizen).toEqual({ firstName: ANONYMISED_NAME, lastName: ANONYMISED_NAME });
    expect(after.fields).toEqual({});
    expect(after.attachments).toEqual([]);
    expect(after.subject).toBe("Demande anonymisée");
    expect(after).not.toHaveProperty("filedBy");
    expect(after.nameKey).toBe("");
  });

  it("removes the follow-up code: nobody outside follows an anonymised request", () => {
    expect(before.followUpCode).toBe("7QKD3MWX");
    expect(after).not.toHaveProperty("followUpCode");
  });

  it("scrubs notes, answers, reasons and the addresses receipts went to", () => {
    const text = JSON.stringify(after);
    for (const secret of [
      "Martin",
      "Léa",
      "lea.martin@example.org",
      "06 12 34 56 78",
      "75011",
      "code porte",
      "Réparé",
      "Fait",
    ])
      expect(text, secret).not.toContain(secret);
    expect(after.events.find((e) => e.kind === "note")).toMatchObject({ text: "—" });
  });

  it("keeps the tracking number, dates, status, démarche, service and a non-sensitive place", () => {
    expect(after).toMatchObject({
      id: before.id,
      tracking: before.tracking,
      demarche: "signalement_voirie",
      service: "services_techniques",
      assignee: "st.moreau",
      status: "closed",
      open: false,
      channel: "courrier",
      receivedAt: before.receivedAt,
      receivedOn: "2026-03-12",
      postmarkOn: "2026-03-10",
      location: { address: "12 rue des Lilas" },
      arSent: true,
      anonymised: true,
    });
    expect(after.events.map((e) => [e.kind, e.at])).toEqual([
      ...before.events.map((e) => [e.kind, e.at]),
      ["anonymised", AT],
    ]);
  });

  it("adds exactly one anonymised event, by whom and where", () => {
    const added = after.events.filter((e) => e.kind === "anonymised");
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ at: AT, by: "server", workstation: "SRV" });
    expect(after.updatedAt).toBe(AT);
  });

  it("is idempotent", () => {
    expect(anonymise(after, "2027-02-01T02:00:00Z", "server", "SRV")).toBe(after);
  });

  it("gives a document the schema accepts", () => {
    expect(requestSchema.parse(after)).toStrictEqual(after);
  });

  it("drops the place of a sensitive request, and coordinates always", () => {
    const police = anonymise(closedRequest("police_doleance"), AT, "server", "SRV");
    expect(police).not.toHaveProperty("location");
    expect(after.location).toEqual({ address: "12 rue des Lilas" });
  });

  it("keeps no postmark when there was none", () => {
    const r = anonymise(buildRequest("demande_generale"), AT, "server", "SRV");
    expect(r).not.toHaveProperty("postmarkOn");
    expect(r).not.toHaveProperty("location");
  });
});

describe("retentionEndsOn", () => {
  it("is null while the request is open", () => {
    expect(retentionEndsOn(buildRequest("signalement_voirie"), 180)).toBeNull();
  });

  it("counts the retention days from the last change of a closed request", () => {
    // Closed on 21 March 2026 + 180 days = 17 September 2026.
    expect(retentionEndsOn(closedRequest(), 180)).toBe("2026-09-17");
  });

  it("takes the day of the last change in Paris, not in UTC", () => {
    const r = withEvents(buildRequest("demande_generale"), [
      ev.status("2026-03-20T23:30:00Z", "received", "answered"),
    ]);
    // 00:30 on 21 March in Paris.
    expect(retentionEndsOn(r, 1)).toBe("2026-03-22");
  });

  it("is null once anonymised", () => {
    expect(retentionEndsOn(anonymise(closedRequest(), AT, "server", "SRV"), 180)).toBeNull();
  });
});
