import { describe, expect, it } from "vitest";
import { type NewRequestContext, newRequest } from "./new-request";
import { NO_DUE_DATE, type RequestContent, requestSchema } from "./request";
import { CATALOGUE, content, context, NOW, POLICY, TRACKING, WS_A } from "./test-fixtures";

function build(demarcheId: string, c: Partial<RequestContent> = {}, ctx: Partial<NewRequestContext> = {}) {
  return newRequest(content(demarcheId, c), context(demarcheId, ctx));
}

function issuesOf(result: ReturnType<typeof newRequest>) {
  if (result.ok) throw new Error("expected a refusal");
  return result.issues;
}

function requestOf(result: ReturnType<typeof newRequest>) {
  if (!result.ok) throw new Error(`expected a request: ${JSON.stringify(result.issues)}`);
  return result.request;
}

describe("newRequest builds a stored request", () => {
  it("sets ids, creation data and the created event for a counter request", () => {
    const r = requestOf(build("aide_restauration_scolaire"));
    expect(r).toMatchObject({
      id: TRACKING,
      tracking: TRACKING,
      type: "request",
      schemaVersion: 1,
      commune: "demo",
      demarche: "aide_restauration_scolaire",
      demarcheVersion: 1,
      channel: "guichet",
      rule: { kind: "SVR", months: 2 },
      policy: POLICY,
      sensitive: false,
      receivedAt: NOW,
      receivedOn: "2026-03-12",
      createdBy: "agent.dupont",
      workstation: WS_A,
      anonymised: false,
    });
    expect(r.events).toHaveLength(1);
    expect(r.events[0]).toMatchObject({
      at: NOW,
      by: "agent.dupont",
      workstation: WS_A,
      kind: "created",
      service: "scolaire",
    });
    expect(r.events[0]?.id).toMatch(/^mmn7j9s0-K7M-[0-9a-z]{8}$/);
  });

  it("computes the projection: an SVR démarche is due two months after receipt", () => {
    const r = requestOf(build("aide_restauration_scolaire"));
    expect({
      status: r.status,
      service: r.service,
      assignee: r.assignee,
      open: r.open,
      dueOn: r.dueOn,
      outcome: r.outcome,
      implicitDecision: r.implicitDecision,
      arSent: r.arSent,
      updatedAt: r.updatedAt,
      nameKey: r.nameKey,
    }).toEqual({
      status: "received",
      service: "scolaire",
      assignee: "",
      open: true,
      dueOn: "2026-05-12",
      outcome: "rejection",
      implicitDecision: "none",
      arSent: false,
      updatedAt: NOW,
      nameKey: "martin lea",
    });
  });

  it("gives an attestation d'accueil (SVR, one month) its due date", () => {
    expect(requestOf(build("attestation_accueil")).dueOn).toBe("2026-04-12");
  });

  it("gives an SVA démarche its acceptance date", () => {
    const r = requestOf(
      build("autorisation_buvette", { channel: "en_ligne" }, { by: "portal", workstation: "W3B" }),
    );
    expect([r.outcome, r.dueOn, r.channel, r.workstation]).toEqual([
      "acceptance",
      "2026-05-12",
      "en_ligne",
      "W3B",
    ]);
  });

  it("gives a signalement no implicit-decision date", () => {
    const r = requestOf(build("signalement_eclairage", { channel: "telephone" }));
    expect([r.outcome, r.dueOn, r.service, r.location]).toEqual([
      "none",
      NO_DUE_DATE,
      "services_techniques",
      { address: "12 rue des Lilas", lat: 48.86, lng: 2.38 },
    ]);
  });

  it("marks a CCAS request sensitive", () => {
    const r = requestOf(build("ccas_aide", { channel: "courriel" }));
    expect([r.sensitive, r.service, r.dueOn]).toEqual([true, "ccas", "2026-05-12"]);
  });

  it("builds a valid request for every démarche of the catalogue and every channel", () => {
    const channels = ["guichet", "telephone", "courrier", "courriel", "en_ligne", "autre"] as const;
    for (const d of CATALOGUE.demarches)
      for (const channel of channels) {
        const r = requestOf(build(d.id, { channel }));
        expect(requestSchema.safeParse(r).success, `${d.id} ${channel}`).toBe(true);
      }
  });

  it("takes the receipt day from receivedAt, in Paris time", () => {
    // Opened on the 12th, the letter arrived on the 10th at 23:30 Paris time (22:30 UTC).
    const r = requestOf(
      build(
        "aide_restauration_scolaire",
        { channel: "courrier", postmarkOn: "2026-03-09" },
        {
          receivedAt: "2026-03-10T22:30:00Z",
        },
      ),
    );
    expect([r.receivedAt, r.receivedOn, r.postmarkOn, r.dueOn]).toEqual([
      "2026-03-10T22:30:00Z",
      "2026-03-10",
      "2026-03-09",
      "2026-05-10",
    ]);
  });

  it("starts the delay from receipt, never from the postmark, even with the old setting (L114-3)", () => {
    const r = requestOf(
      build(
        "aide_restauration_scolaire",
        { channel: "courrier", postmarkOn: "2026-03-09" },
        {
          policy: { ...POLICY, startFrom: "postmark" },
        },
      ),
    );
    // Received 12/03, SVR 2 months: rejected at the end of 12/05 (the postmark of 09/03 is only recorded).
    expect(r.dueOn).toBe("2026-05-12");
    expect(r.postmarkOn).toBe("2026-03-09");
  });

  it("drops an optional field left empty and converts a typed number", () => {
    const r = requestOf(
      build("aide_restauration_scolaire", {
        fields: { enfant: "Martin Hugo", ecole: "École Jules-Ferry", quotientFamilial: "" },
      }),
    );
    expect(r.fields).toStrictEqual({ enfant: "Martin Hugo", ecole: "École Jules-Ferry" });
    const typed = requestOf(
      build("attestation_accueil", {
        fields: { visiteur: "Silva Ana", dateArrivee: "2026-07-01", duree: "15" },
      }),
    );
    expect(typed.fields.duree).toBe(15);
  });

  it("records who filed on the citizen's behalf", () => {
    const r = requestOf(
      build("ccas_aide", { filedBy: { name: "Claire Petit", relation: "Assistante sociale" } }),
    );
    expect(r.filedBy).toEqual({ name: "Claire Petit", relation: "Assistante sociale" });
  });

  it("accepts a signalement placed by coordinates only (a pin on the map)", () => {
    const r = requestOf(build("signalement_voirie", { location: { lat: 48.8566, lng: 2.3522 } }));
    expect(r.location).toEqual({ lat: 48.8566, lng: 2.3522 });
  });
});

describe("newRequest refuses invalid content with field paths and French messages", () => {
  it("refuses a missing citizen name", () => {
    const c = content("demande_generale");
    const { lastName: _l, ...citizen } = c.citizen;
    expect(
      issuesOf(newRequest({ ...c, citizen: { ...citizen, firstName: "" } }, context("demande_generale"))),
    ).toEqual([
      { field: "citizen.firstName", message: "Ce champ est obligatoire." },
      { field: "citizen.lastName", message: "Ce champ est obligatoire." },
    ]);
  });

  it("refuses a bad email and a bad phone number", () => {
    const c = content("demande_generale");
    expect(
      issuesOf(
        newRequest(
          { ...c, citizen: { ...c.citizen, email: "lea@@x", phone: "12" } },
          context("demande_generale"),
        ),
      ),
    ).toEqual([
      { field: "citizen.email", message: "Adresse électronique invalide." },
      { field: "citizen.phone", message: "Numéro de téléphone invalide." },
    ]);
  });

  it("refuses a citizen name carrying CR/LF (mail header injection)", () => {
    const c = content("demande_generale");
    const citizen = { ...c.citizen, lastName: "Martin\r\nBcc: victime@example.org" };
    expect(issuesOf(newRequest({ ...c, citizen }, context("demande_generale")))).toEqual([
      { field: "citizen.lastName", message: "Caractère non autorisé." },
    ]);
    expect(
      issuesOf(newRequest({ ...c, subject: "Objet\nBcc: x@example.org" }, context("demande_generale"))),
    ).toEqual([{ field: "subject", message: "Caractère non autorisé." }]);
  });

  it("refuses an unknown key in the content and in the fields", () => {
    const c = content("demande_generale");
    expect(issuesOf(newRequest({ ...c, status: "closed" }, context("demande_generale")))).toEqual([
      { field: "", message: 'Clé non reconnue : "status"' },
    ]);
    expect(issuesOf(build("demande_generale", { fields: { message: "Bonjour", urgence: "oui" } }))).toEqual([
      { field: "fields", message: 'Clé non reconnue : "urgence"' },
    ]);
  });

  it("refuses a select value outside the list and a missing required field", () => {
    expect(issuesOf(build("ccas_aide", { fields: { nature: "loyer" } }))).toEqual([
      { field: "fields.nature", message: "Choisissez une valeur dans la liste." },
      { field: "fields.situation", message: "Ce champ est obligatoire." },
    ]);
  });

  it("refuses an impossible date in a field", () => {
    expect(
      issuesOf(
        build("acte_naissance", {
          fields: {
            personne: "Martin Léa",
            dateActe: "1990-02-30",
            typeCopie: "copie_integrale",
            delivrance: "guichet",
          },
        }),
      ),
    ).toEqual([{ field: "fields.dateActe", message: "Date invalide (format attendu : AAAA-MM-JJ)." }]);
  });

  it("refuses a signalement without a place", () => {
    const { location: _l, ...c } = content("signalement_voirie");
    expect(issuesOf(newRequest(c, context("signalement_voirie")))).toEqual([
      { field: "location.address", message: "Indiquez le lieu concerné." },
    ]);
    expect(issuesOf(build("signalement_voirie", { location: { address: "  ", lat: 48.8 } }))).toEqual([
      { field: "location.address", message: "Indiquez le lieu concerné." },
    ]);
  });

  it("refuses a postmark on a request that did not come by post", () => {
    expect(issuesOf(build("demande_generale", { channel: "guichet", postmarkOn: "2026-03-10" }))).toEqual([
      { field: "postmarkOn", message: "La date du cachet de la poste ne concerne que le courrier." },
    ]);
  });

  it("refuses a postmark after the day of receipt", () => {
    expect(issuesOf(build("demande_generale", { channel: "courrier", postmarkOn: "2026-03-13" }))).toEqual([
      { field: "postmarkOn", message: "Le cachet de la poste ne peut pas être postérieur à la réception." },
    ]);
  });

  it("refuses content for another démarche than the context's", () => {
    expect(issuesOf(newRequest(content("demande_generale"), context("autorisation_buvette")))).toEqual([
      { field: "demarche", message: "Démarche incohérente." },
      { field: "fields.association", message: "Ce champ est obligatoire." },
      { field: "fields.dateFete", message: "Ce champ est obligatoire." },
      { field: "fields", message: 'Clé non reconnue : "message"' },
    ]);
  });

  it("refuses something that is not content at all", () => {
    expect(issuesOf(newRequest(null, context("demande_generale")))).toHaveLength(1);
    expect(issuesOf(newRequest({}, context("demande_generale"))).map((i) => i.field)).toEqual([
      "demarche",
      "channel",
      "subject",
      "fields",
      "citizen",
      "attachments",
    ]);
  });
});
