import { describe, expect, it } from "vitest";
import { DEMO_COMMUNE } from "./commune";
import { withEvents } from "./history";
import { buildNotice, noticeEvents, unsentNotices } from "./notices";
import { buildRequest, ev } from "./test-fixtures";

const CTX = {
  commune: DEMO_COMMUNE,
  demarcheLabel: "Aide à la restauration scolaire",
  followUpUrl: "https://mairie.example/suivi",
};

describe("notices to the citizen", () => {
  const base = buildRequest("aide_restauration_scolaire", {
    content: { citizen: { firstName: "Léa", lastName: "Roux", email: "lea@example.org" } },
  });
  const r = withEvents(base, [
    ev.status(
      "2026-03-13T09:00:00Z",
      "received",
      "incomplete",
      { id: "e1" },
      { missingPieces: ["Avis d'imposition"], piecesDueOn: "2026-04-13" },
    ),
    ev.status("2026-03-20T09:00:00Z", "incomplete", "in_progress", { id: "e2" }),
    ev.note("2026-03-20T10:00:00Z", "interne"),
  ]);

  it("owes one notice per event the citizen must hear of, none for internal steps", () => {
    expect(noticeEvents(r).map((n) => [n.eventId, n.kind])).toEqual([["e1", "pieces"]]);
  });

  it("says, for SVR, that the délai is suspended until the pieces or the time limit (L114-5)", () => {
    const n = buildNotice(r, noticeEvents(r)[0]?.eventId ?? "", CTX);
    expect(n.subject).toMatch(/^Pièces manquantes – demande n° /);
    expect(n.paragraphs.join("\n")).toContain("« Avis d'imposition »");
    expect(n.paragraphs.join("\n")).toContain("au plus tard le 13 avril 2026");
    expect(n.paragraphs.join("\n")).toContain(
      "réputée rejetée est suspendu jusqu'à la réception de ces pièces, et au plus tard jusqu'au 13 avril 2026",
    );
  });

  it("is no longer owed once sent, nor for old events, nor without an email", () => {
    const id = noticeEvents(r)[0]?.eventId ?? "";
    expect(unsentNotices(r, "2026-03-14", 7)).toHaveLength(1);
    expect(unsentNotices(r, "2026-04-30", 7)).toHaveLength(0);
    const sent = withEvents(r, [
      {
        id: "mxz-SRV-s1",
        at: "2026-03-13T09:01:00Z",
        by: "server",
        workstation: "SRV",
        kind: "message_sent",
        ref: id,
        to: "lea@example.org",
      },
    ]);
    expect(unsentNotices(sent, "2026-03-14", 7)).toHaveLength(0);
    const noEmail = { ...r, citizen: { firstName: "Léa", lastName: "Roux" } };
    expect(unsentNotices(noEmail, "2026-03-14", 7)).toHaveLength(0);
  });
});
