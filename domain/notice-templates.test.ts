import { describe, expect, it } from "vitest";
import { DEMO_COMMUNE } from "./commune";
import { withEvents } from "./history";
import { fillTemplate, noticeTemplatesSchema } from "./notice-templates";
import { buildNotice } from "./notices";
import { buildRequest, ev } from "./test-fixtures";

const CTX = {
  commune: DEMO_COMMUNE,
  demarcheLabel: "Aide à la cantine",
  followUpUrl: "https://m.example/suivi",
};

describe("notice templates of a démarche", () => {
  it("accepts each kind's own placeholders and refuses the others, in French", () => {
    expect(
      noticeTemplatesSchema.safeParse({
        pieces: {
          subject: "Dossier {numero} incomplet",
          body: "Il manque : {pieces}, avant le {date_limite}.",
        },
      }).success,
    ).toBe(true);
    const wrong = noticeTemplatesSchema.safeParse({
      answered: { subject: "Réponse {reponse}", body: "Voici : {pieces}" },
    });
    expect(wrong.success).toBe(false);
    const messages = wrong.error?.issues.map((i) => `${i.path.join(".")} ${i.message}`) ?? [];
    expect(messages).toEqual([
      expect.stringMatching(/^answered\.subject Champ inconnu \{reponse\} : champs possibles \{numero\}/),
      expect.stringMatching(/^answered\.body Champ inconnu \{pieces\}/),
    ]);
    expect(noticeTemplatesSchema.safeParse({ autre: { subject: "x", body: "y" } }).success).toBe(false);
  });

  it("uses the démarche's wording, fills it with the facts, and keeps what the law requires", () => {
    const r = withEvents(
      buildRequest("aide_restauration_scolaire", {
        content: { citizen: { firstName: "Léa", lastName: "Roux", email: "lea@example.org" } },
      }),
      [
        ev.status(
          "2026-03-13T09:00:00Z",
          "received",
          "incomplete",
          { id: "e1" },
          { missingPieces: ["<b>Avis</b> d'imposition"], piecesDueOn: "2026-04-13" },
        ),
      ],
    );
    const n = buildNotice(r, "e1", {
      ...CTX,
      templates: {
        pieces: {
          subject: "Votre dossier {demarche}",
          body: "Bonjour,\n\nIl manque {pieces} ; date limite : {date_limite}.\n\n{commune}",
        },
      },
    });
    expect(n.subject).toMatch(/^Votre dossier Aide à la cantine – demande n° /);
    expect(n.paragraphs[0]).toBe("Bonjour,");
    // Citizen-side text goes in as text: the mail escapes it (notice-template.ts).
    expect(n.paragraphs[1]).toBe("Il manque « <b>Avis</b> d'imposition » ; date limite : 13 avril 2026.");
    expect(n.paragraphs[2]).toBe(DEMO_COMMUNE.name);
    expect(n.paragraphs.join("\n")).toContain("article L. 114-5");
    expect(n.paragraphs.at(-1)).toMatch(/^Pour suivre votre demande : https:\/\/m\.example\/suivi/);
  });

  it("splits paragraphs on blank lines and leaves an unknown brace as typed", () => {
    expect(fillTemplate("a {x}\n \nb", { x: "1" })).toEqual(["a 1", "b"]);
    expect(fillTemplate("{y}", {})).toEqual(["{y}"]);
  });
});
