import { describe, expect, it } from "vitest";
import {
  type AckInput,
  type Acknowledgement,
  acknowledgementText,
  buildAcknowledgement,
  buildRegistrationReceipt,
  formatDateFr,
  MENTIONS,
} from "./acknowledgement";
import { withEvents } from "./history";
import type { GuichetRequest, RequestContent, RequestEvent } from "./request";
import { buildRequest, COMMUNE, demarche, ev, POLICY, service, TRACKING } from "./test-fixtures";
import { formatTrackingNumber } from "./tracking-number";

const DISPLAY = formatTrackingNumber(TRACKING);
const TRIBUNAL = "Tribunal administratif de Montreuil, 7 rue Catherine Puig, 93100 Montreuil";

function input(request: GuichetRequest, extra: Partial<AckInput> = {}): AckInput {
  return {
    request,
    demarche: demarche(request.demarche),
    service: service(request.service),
    commune: COMMUNE,
    issuedOn: "2026-03-13",
    ...extra,
  };
}

function ar(
  demarcheId: string,
  opts: {
    content?: Partial<RequestContent>;
    events?: RequestEvent[];
    extra?: Partial<AckInput>;
    startFrom?: "postmark";
  } = {},
): Acknowledgement {
  const base = buildRequest(demarcheId, {
    content: opts.content ?? {},
    ctx: opts.startFrom ? { policy: { ...POLICY, startFrom: opts.startFrom } } : {},
  });
  const request = opts.events ? withEvents(base, opts.events) : base;
  return buildAcknowledgement(input(request, opts.extra));
}

const value = (a: Acknowledgement, label: string) => a.lines.find((l) => l.label === label)?.value;
const labels = (a: Acknowledgement) => a.lines.map((l) => l.label);
const text = (a: Acknowledgement) => acknowledgementText(a);

describe("formatDateFr", () => {
  it("writes a date the French way", () => {
    expect(formatDateFr("2026-03-15")).toBe("15 mars 2026");
    expect(formatDateFr("2026-08-09")).toBe("9 août 2026");
    expect(formatDateFr("2025-12-31")).toBe("31 décembre 2025");
    expect(formatDateFr("2028-02-29")).toBe("29 février 2028");
  });

  it("writes the first of the month « 1er »", () => {
    expect(formatDateFr("2026-01-01")).toBe("1er janvier 2026");
  });

  it.each(["2026-02-30", "2026-13-01", "15/03/2026", "", "2026-3-5"])("refuses %j", (d) => {
    expect(() => formatDateFr(d)).toThrow(RangeError);
  });
});

describe("AR of an SVA request (autorisation de buvette, at the counter)", () => {
  const a = ar("autorisation_buvette", {
    extra: { agent: { firstName: "Camille", lastName: "Roux", position: "agente d'accueil" } },
  });

  it("is a complete accusé de réception", () => {
    expect(a.kind).toBe("accuse_reception");
    expect(a.title).toBe("Accusé de réception");
    expect(a.trackingNumber).toBe(DISPLAY);
    expect(a.missing).toEqual([]);
  });

  it("states the facts in order, with exact dates", () => {
    expect(a.lines).toEqual([
      { label: "Numéro de suivi", value: DISPLAY },
      { label: "Démarche", value: "Autorisation d'ouverture d'une buvette temporaire" },
      { label: "Objet", value: "Autorisation d'ouverture d'une buvette temporaire" },
      { label: "Demandeur", value: "Léa Martin" },
      { label: "Mode de réception", value: "Guichet" },
      { label: "Date de réception", value: "12 mars 2026" },
      { label: "Décision implicite", value: "Acceptation le 12 mai 2026" },
      { label: "Service chargé du dossier", value: "Accueil de la mairie" },
      { label: "Adresse postale du service", value: "Mairie, place de la Mairie" },
      { label: "Adresse électronique du service", value: "accueil@mairie.example" },
      { label: "Téléphone du service", value: "01 00 00 00 00" },
      { label: "Dossier suivi par", value: "Camille Roux, agente d'accueil" },
      { label: "Accusé de réception établi le", value: "13 mars 2026" },
    ]);
  });

  it("says silence means acceptance on 12 May 2026 and offers the L232-3 attestation", () => {
    expect(a.paragraphs).toContain(
      "Cette demande est susceptible de donner lieu à une décision implicite d'acceptation. À défaut de décision expresse dans un délai de deux mois, elle sera réputée acceptée le 12 mai 2026.",
    );
    expect(a.paragraphs).toContain(
      "Si votre demande est acceptée implicitement, vous pourrez obtenir, sur simple demande, une attestation de la décision implicite d'acceptation (article L. 232-3 du code des relations entre le public et l'administration).",
    );
  });

  it("gives no appeal routes (nothing to appeal against an acceptance)", () => {
    expect(text(a)).not.toContain("recours");
    expect(text(a)).not.toContain("sous réserve");
  });

  it("names the service and the agent with the administrative address (R112-5 2°, L111-2)", () => {
    expect(a.paragraphs).toContain(
      "Votre demande est traitée par le service suivant : Accueil de la mairie, Mairie, place de la Mairie, téléphone : 01 00 00 00 00, courriel : accueil@mairie.example.",
    );
    expect(a.paragraphs).toContain(
      "Votre dossier est suivi par Camille Roux, agente d'accueil, Accueil de la mairie, Mairie, place de la Mairie.",
    );
  });

  it("opens with the receipt and the tracking number, and ends with the reminder", () => {
    expect(a.paragraphs[0]).toBe(
      `Nous accusons réception de votre demande « Autorisation d'ouverture d'une buvette temporaire », reçue au guichet le 12 mars 2026 et enregistrée sous le numéro de suivi ${DISPLAY}.`,
    );
    expect(a.paragraphs.at(-1)).toBe(
      `Merci de rappeler le numéro de suivi ${DISPLAY} dans toute correspondance.`,
    );
  });
});

describe("AR of an SVR request", () => {
  it("gives the rejection date and the appeal routes for a CCAS request", () => {
    const a = ar("ccas_aide", { content: { channel: "telephone" } });
    expect(a.missing).toEqual([]);
    expect(value(a, "Décision implicite")).toBe("Rejet le 12 mai 2026");
    expect(value(a, "Service chargé du dossier")).toBe("Centre communal d'action sociale (CCAS)");
    expect(value(a, "Téléphone du service")).toBe("01 00 00 00 07");
    expect(a.paragraphs).toEqual([
      `Nous accusons réception de votre demande « Demande d'aide au CCAS », reçue par téléphone le 12 mars 2026 et enregistrée sous le numéro de suivi ${DISPLAY}.`,
      "Cette demande est susceptible de donner lieu à une décision implicite de rejet. À défaut de décision expresse dans un délai de deux mois, elle sera réputée rejetée le 12 mai 2026.",
      `En cas de décision implicite de rejet, vous pourrez, dans un délai de deux mois à compter de la date à laquelle elle sera née, former un recours gracieux auprès du maire ou un recours contentieux devant le ${TRIBUNAL}.`,
      "Le recours gracieux interrompt le délai du recours contentieux, qui court de nouveau à compter de la réponse de l'administration ; le silence gardé pendant deux mois sur ce recours vaut rejet.",
      "Le tribunal administratif peut être saisi au moyen de l'application « Télérecours citoyens », accessible sur le site www.telerecours.fr.",
      "Votre demande est traitée par le service suivant : Centre communal d'action sociale (CCAS), CCAS, rue de la Solidarité, téléphone : 01 00 00 00 07, courriel : ccas@mairie.example.",
      `Merci de rappeler le numéro de suivi ${DISPLAY} dans toute correspondance.`,
    ]);
    expect(text(a)).not.toContain("L. 232-3");
  });

  it("gives a school-meal request its date and the commune's tribunal", () => {
    const a = ar("aide_restauration_scolaire");
    expect(a.missing).toEqual([]);
    expect(value(a, "Décision implicite")).toBe("Rejet le 12 mai 2026");
    expect(value(a, "Service chargé du dossier")).toBe("Service Enfance et scolaire");
    expect(text(a)).toContain("recours contentieux devant le Tribunal administratif de Montreuil");
    expect(text(a)).toContain("Télérecours citoyens");
  });

  it("writes a one-month delay « un mois »", () => {
    const a = ar("attestation_accueil");
    expect(text(a)).toContain("dans un délai de un mois, elle sera réputée rejetée le 12 avril 2026.");
  });

  it("reports the appeal routes missing when the commune has no tribunal", () => {
    const a = ar("ccas_aide", { extra: { commune: { ...COMMUNE, tribunal: " " } } });
    expect(a.missing).toEqual([MENTIONS.appeal]);
    expect(text(a)).not.toContain("Télérecours");
  });
});

describe("AR of a rule-none signalement", () => {
  const a = ar("signalement_voirie", { content: { channel: "autre" } });

  it("says no implicit decision applies, with no date, attestation or appeal", () => {
    expect(a.missing).toEqual([]);
    expect(value(a, "Décision implicite")).toBe("Sans objet");
    expect(a.paragraphs).toContain(
      "Cette demande n'est pas susceptible de donner lieu à une décision implicite : le silence gardé par l'administration ne vaudra ni acceptation ni rejet.",
    );
    expect(text(a)).not.toMatch(/réputée|attestation|recours/);
  });

  it("names the technical services", () => {
    expect(value(a, "Service chargé du dossier")).toBe("Services techniques");
    expect(value(a, "Adresse postale du service")).toBe("Centre technique municipal, rue des Ateliers");
    expect(a.paragraphs[0]).toContain("« Signalement voirie », reçue le 12 mars 2026 et");
  });
});

describe("AR of an incomplete file (L114-5)", () => {
  const pieces = ["Avis d'imposition 2025", "Attestation de quotient familial de la CAF"];
  const incomplete = (at: string, piecesDueOn?: string, missingPieces: string[] = pieces) =>
    ev.status(at, "received", "incomplete", {}, { missingPieces, ...(piecesDueOn ? { piecesDueOn } : {}) });

  it("lists the pieces and their date, and says the SVR delay is suspended until then", () => {
    const a = ar("aide_restauration_scolaire", {
      events: [incomplete("2026-03-12T10:00:00Z", "2026-04-15")],
    });
    expect(a.missing).toEqual([]);
    expect(value(a, "Pièces manquantes")).toBe(
      "Avis d'imposition 2025 ; Attestation de quotient familial de la CAF",
    );
    expect(value(a, "Pièces à fournir au plus tard le")).toBe("15 avril 2026");
    // Incomplete from the receipt: nothing has run; if the pieces never come, the suspension
    // ends on 15 April and the full two months run from then.
    expect(value(a, "Décision implicite")).toBe("Rejet le 15 juin 2026 au plus tard (délai suspendu)");
    expect(a.paragraphs).toContain(
      "Votre dossier est incomplet. Merci de nous faire parvenir au plus tard le 15 avril 2026 les pièces et informations suivantes : Avis d'imposition 2025 ; Attestation de quotient familial de la CAF.",
    );
    expect(a.paragraphs).toContain(
      "Cette demande est susceptible de donner lieu à une décision implicite de rejet. Le délai de deux mois au terme duquel, à défaut de décision expresse, elle sera réputée rejetée est suspendu pendant le délai imparti pour produire les pièces manquantes ; leur production avant l'expiration de ce délai met fin à la suspension (article L. 114-5 du code des relations entre le public et l'administration). Si les pièces ne sont pas produites, votre demande sera réputée rejetée le 15 juin 2026.",
    );
    expect(text(a)).toContain("recours gracieux auprès du maire");
  });

  it("says the SVA delay does not run until the pieces arrive", () => {
    const a = ar("autorisation_buvette", {
      events: [incomplete("2026-03-12T10:00:00Z", "2026-04-15", ["Statuts de l'association"])],
    });
    expect(a.missing).toEqual([]);
    expect(value(a, "Décision implicite")).toBe(
      "Acceptation deux mois après la réception des pièces manquantes",
    );
    expect(a.paragraphs).toContain(
      "Cette demande est susceptible de donner lieu à une décision implicite d'acceptation. Le délai de deux mois au terme duquel, à défaut de décision expresse, elle sera réputée acceptée ne court qu'à compter de la réception des pièces manquantes (article L. 114-5 du code des relations entre le public et l'administration).",
    );
    expect(text(a)).toContain("attestation de la décision implicite d'acceptation");
  });

  it("takes the last request for pieces", () => {
    const a = ar("autorisation_buvette", {
      events: [
        incomplete("2026-03-12T10:00:00Z", "2026-03-31", ["Ancienne pièce"]),
        ev.status("2026-03-13T10:00:00Z", "incomplete", "in_progress"),
        ev.status(
          "2026-03-14T10:00:00Z",
          "in_progress",
          "incomplete",
          {},
          {
            missingPieces: ["Plan de la buvette"],
            piecesDueOn: "2026-04-30",
          },
        ),
      ],
    });
    expect(value(a, "Pièces manquantes")).toBe("Plan de la buvette");
    expect(value(a, "Pièces à fournir au plus tard le")).toBe("30 avril 2026");
  });

  it("reports the list and the time limit missing when the agent gave none", () => {
    const a = ar("aide_restauration_scolaire", {
      events: [incomplete("2026-03-12T10:00:00Z", undefined, [])],
    });
    expect(a.missing).toEqual([MENTIONS.implicitDecisionDate, MENTIONS.missingPieces, MENTIONS.piecesDueOn]);
    expect(a.paragraphs).toContain("Votre dossier est incomplet.");
    expect(value(a, "Décision implicite")).toBe("Rejet (délai suspendu)");
  });

  it("reports the time limit missing when only the pieces were given", () => {
    const a = ar("signalement_voirie", {
      events: [incomplete("2026-03-12T10:00:00Z", undefined, ["Photo"])],
    });
    expect(a.missing).toEqual([MENTIONS.piecesDueOn]);
    expect(a.paragraphs).toContain(
      "Votre dossier est incomplet. Merci de nous faire parvenir les pièces et informations suivantes : Photo.",
    );
  });

  it("reports the pieces missing when the status says incomplete but no event lists them", () => {
    const r = { ...buildRequest("signalement_voirie"), status: "incomplete" as const };
    expect(buildAcknowledgement(input(r)).missing).toEqual([MENTIONS.missingPieces, MENTIONS.piecesDueOn]);
  });

  it("lists the pieces of an incomplete signalement without any delay mention", () => {
    const a = ar("signalement_voirie", {
      events: [incomplete("2026-03-12T10:00:00Z", "2026-03-20", ["Photo"])],
    });
    expect(a.missing).toEqual([]);
    expect(value(a, "Pièces manquantes")).toBe("Photo");
    expect(text(a)).not.toContain("L. 114-5");
  });

  it("shows no pieces once the file is complete again", () => {
    const a = ar("aide_restauration_scolaire", {
      events: [
        incomplete("2026-03-20T10:00:00Z", "2026-04-20"),
        ev.status("2026-04-01T10:00:00Z", "incomplete", "in_progress"),
      ],
    });
    expect(labels(a)).not.toContain("Pièces manquantes");
    // 12 May + 12 days of suspension (20 March → 1 April).
    expect(value(a, "Décision implicite")).toBe("Rejet le 24 mai 2026");
  });
});

describe("AR of a letter with a postmark", () => {
  it("gives both dates", () => {
    const a = ar("aide_restauration_scolaire", {
      content: { channel: "courrier", postmarkOn: "2026-03-10" },
    });
    expect(value(a, "Mode de réception")).toBe("Courrier");
    expect(value(a, "Date de réception")).toBe("12 mars 2026");
    expect(value(a, "Date du cachet de la poste")).toBe("10 mars 2026");
    expect(labels(a).indexOf("Date du cachet de la poste")).toBe(labels(a).indexOf("Date de réception") + 1);
    expect(a.paragraphs[0]).toBe(
      `Nous accusons réception de votre demande « Restauration scolaire : tarif réduit ou aide », reçue par courrier le 12 mars 2026 (cachet de la poste du 10 mars 2026) et enregistrée sous le numéro de suivi ${DISPLAY}.`,
    );
    expect(value(a, "Décision implicite")).toBe("Rejet le 12 mai 2026");
  });

  it("dates the decision from receipt, not from the postmark, even with the old setting (L114-3)", () => {
    const a = ar("aide_restauration_scolaire", {
      content: { channel: "courrier", postmarkOn: "2026-03-10" },
      startFrom: "postmark",
    });
    expect(value(a, "Décision implicite")).toBe("Rejet le 12 mai 2026");
  });

  it("has no postmark line without a postmark", () => {
    expect(labels(ar("aide_restauration_scolaire", { content: { channel: "courrier" } }))).not.toContain(
      "Date du cachet de la poste",
    );
  });
});

describe("AR of an online submission (L112-11, R112-11-1)", () => {
  const a = ar("autorisation_buvette", { content: { channel: "en_ligne" } });

  it("is an electronic AR dating the decision « sous réserve que le dossier soit complet »", () => {
    expect(a.title).toBe("Accusé de réception électronique");
    expect(a.missing).toEqual([]);
    expect(value(a, "Décision implicite")).toBe(
      "Acceptation le 12 mai 2026, sous réserve que le dossier soit complet",
    );
    expect(a.paragraphs).toContain(
      "Cette demande est susceptible de donner lieu à une décision implicite d'acceptation. À défaut de décision expresse dans un délai de deux mois et sous réserve que le dossier soit complet, elle sera réputée acceptée le 12 mai 2026.",
    );
    expect(value(a, "Accusé de réception électronique établi le")).toBe("13 mars 2026");
    expect(a.paragraphs[0]).toContain("reçue en ligne le 12 mars 2026");
  });

  it("treats an email to the mairie as an electronic submission too", () => {
    const byEmail = ar("ccas_aide", { content: { channel: "courriel" } });
    expect(byEmail.title).toBe("Accusé de réception électronique");
    expect(value(byEmail, "Décision implicite")).toBe(
      "Rejet le 12 mai 2026, sous réserve que le dossier soit complet",
    );
  });
});

describe("missing mandatory mentions", () => {
  it("reports a service without phone or address", () => {
    const r = buildRequest("ccas_aide");
    const a = buildAcknowledgement(input(r, { service: { ...service("ccas"), phone: "", address: " " } }));
    expect(a.missing).toEqual([MENTIONS.serviceAddress, MENTIONS.servicePhone]);
    expect(labels(a)).not.toContain("Téléphone du service");
  });

  it("does not require an email address for the service (« le cas échéant »)", () => {
    const { email: _e, ...noEmail } = service("ccas");
    const a = buildAcknowledgement(input(buildRequest("ccas_aide"), { service: noEmail }));
    expect(a.missing).toEqual([]);
    expect(labels(a)).not.toContain("Adresse électronique du service");
    expect(a.paragraphs).toContain(
      "Votre demande est traitée par le service suivant : Centre communal d'action sociale (CCAS), CCAS, rue de la Solidarité, téléphone : 01 00 00 00 07.",
    );
  });

  it("reports the service's designation and drops the service sentence when it is empty", () => {
    const a = buildAcknowledgement(
      input(buildRequest("ccas_aide"), { service: { ...service("ccas"), name: "", address: "", phone: "" } }),
    );
    expect(a.missing).toEqual([MENTIONS.serviceName, MENTIONS.serviceAddress, MENTIONS.servicePhone]);
    expect(text(a)).not.toContain("traitée par le service");
  });

  it("reports the implicit-decision date when a forwarded request has none", () => {
    const r = withEvents(buildRequest("ccas_aide"), [
      ev.status(
        "2026-03-12T10:00:00Z",
        "received",
        "forwarded",
        {},
        { forwardedTo: "Conseil départemental" },
      ),
    ]);
    const a = buildAcknowledgement(input(r));
    expect(a.missing).toEqual([MENTIONS.implicitDecisionDate]);
    expect(value(a, "Décision implicite")).toBe("Rejet (date non déterminée)");
  });

  it("reports the implicit-acceptation date when a cancelled SVA request has none", () => {
    const r = withEvents(buildRequest("autorisation_buvette"), [
      ev.status("2026-03-12T10:00:00Z", "received", "cancelled", {}, { reason: "Doublon" }),
    ]);
    const a = buildAcknowledgement(input(r));
    expect(a.missing).toEqual([MENTIONS.implicitDecisionDate]);
    expect(value(a, "Décision implicite")).toBe("Acceptation (date non déterminée)");
    expect(a.paragraphs).toContain(
      "Cette demande est susceptible de donner lieu à une décision implicite d'acceptation.",
    );
  });

  it("reports an agent given without a name or position", () => {
    const a = ar("ccas_aide", {
      extra: { agent: { firstName: "Camille", lastName: "Roux", position: " " } },
    });
    expect(a.missing).toEqual([MENTIONS.agent]);
    expect(labels(a)).not.toContain("Dossier suivi par");
  });

  it("needs no agent when none is given (anonymity for safety, L111-2)", () => {
    const a = ar("ccas_aide");
    expect(a.missing).toEqual([]);
    expect(text(a)).not.toContain("suivi par");
  });
});

describe("inconsistent input", () => {
  const r = buildRequest("ccas_aide");

  it("refuses another démarche or another service than the request's", () => {
    expect(() => buildAcknowledgement(input(r, { demarche: demarche("demande_generale") }))).toThrow(
      `La demande ${TRACKING} relève de la démarche « ccas_aide », pas « demande_generale ».`,
    );
    expect(() => buildAcknowledgement(input(r, { service: service("accueil") }))).toThrow(
      `La demande ${TRACKING} est traitée par le service « ccas », pas « accueil ».`,
    );
  });

  it("refuses an anonymised request", () => {
    expect(() => buildRegistrationReceipt(input({ ...r, anonymised: true }))).toThrow("anonymisée");
  });

  it("refuses an invalid issue date", () => {
    expect(() => buildAcknowledgement(input(r, { issuedOn: "13/03/2026" }))).toThrow(RangeError);
  });

  it("shows a tracking number outside the alphabet as it is", () => {
    const a = buildAcknowledgement(input({ ...r, tracking: "ABCDEFGH" }));
    expect(a.trackingNumber).toBe("ABCDEFGH");
  });
});

describe("accusé d'enregistrement électronique (L112-11)", () => {
  const r = buildRequest("autorisation_buvette", {
    content: { channel: "en_ligne" },
    ctx: { now: "2026-07-14T21:58:00Z", by: "portal", workstation: "W3B" },
  });
  const a = buildRegistrationReceipt(input(r, { issuedOn: "2026-07-14" }));

  it("states the date and time of receipt in Paris time, and the tracking number", () => {
    expect(a.kind).toBe("accuse_enregistrement");
    expect(a.title).toBe("Accusé d'enregistrement électronique");
    expect(a.missing).toEqual([]);
    expect(a.lines).toEqual([
      { label: "Numéro de suivi", value: DISPLAY },
      { label: "Démarche", value: "Autorisation d'ouverture d'une buvette temporaire" },
      { label: "Objet", value: "Autorisation d'ouverture d'une buvette temporaire" },
      { label: "Envoi reçu le", value: "14 juillet 2026 à 23 h 58" },
      { label: "Service chargé du dossier", value: "Accueil de la mairie" },
      { label: "Adresse électronique du service", value: "accueil@mairie.example" },
      { label: "Téléphone du service", value: "01 00 00 00 00" },
      { label: "Accusé d'enregistrement établi le", value: "14 juillet 2026" },
    ]);
  });

  it("says it is not the AR, which follows with the implicit-decision details", () => {
    expect(a.paragraphs[0]).toBe(
      `Votre envoi du 14 juillet 2026 à 23 h 58 a bien été enregistré sous le numéro de suivi ${DISPLAY}.`,
    );
    expect(a.paragraphs[1]).toContain("il ne vaut pas accusé de réception");
    expect(a.paragraphs[1]).toContain("L. 112-11");
  });

  it("writes the hour after midnight without a leading zero", () => {
    const early = buildRequest("autorisation_buvette", { ctx: { now: "2026-01-05T23:05:00Z" } });
    expect(value(buildRegistrationReceipt(input(early)), "Envoi reçu le")).toBe("6 janvier 2026 à 0 h 05");
  });
});

describe("acknowledgementText", () => {
  it("renders the title, the facts and the sentences as plain text", () => {
    const a: Acknowledgement = {
      kind: "accuse_reception",
      title: "Accusé de réception",
      trackingNumber: "K7M0-01BJ",
      lines: [
        { label: "A", value: "1" },
        { label: "B", value: "2" },
      ],
      paragraphs: ["Première phrase.", "Seconde phrase."],
      missing: [],
    };
    expect(acknowledgementText(a)).toBe(
      "Accusé de réception\n\nA : 1\nB : 2\n\nPremière phrase.\n\nSeconde phrase.\n",
    );
  });

  it("keeps citizen-typed markup as is (escaping is the renderer's job)", () => {
    const subject = `<script>alert("x")</script> & "lampadaire"`;
    const a = ar("signalement_eclairage", {
      content: { subject, citizen: { firstName: "<b>Léa</b>", lastName: "O'Hara" } },
    });
    expect(value(a, "Objet")).toBe(subject);
    expect(text(a)).toContain(`Objet : ${subject}\n`);
    expect(text(a)).toContain("Demandeur : <b>Léa</b> O'Hara\n");
  });
});

describe("the follow-up code on the AR", () => {
  it("prints the code and says how to follow the request with it", () => {
    const request = buildRequest("aide_restauration_scolaire", {
      content: { channel: "telephone" },
      ctx: { followUpCode: "7QKD3MWX" },
    });
    const a = buildAcknowledgement(input(request));
    expect(value(a, "Code de suivi")).toBe("7QKD-3MWX");
    expect(text(a)).toContain(
      "saisissez votre numéro de suivi et le code de suivi 7QKD-3MWX, ou l'adresse électronique donnée lors de la demande.",
    );
  });

  it("has no code line on an old request that has none", () => {
    expect(labels(ar("aide_restauration_scolaire"))).not.toContain("Code de suivi");
  });
});
