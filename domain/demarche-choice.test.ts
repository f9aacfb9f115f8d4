import { describe, expect, it } from "vitest";
import { choosableDemarches, chooseDemarche } from "./demarche-choice";
import { chosenDemarche, mergeRequests, withEvents } from "./history";
import type { RequestEvent } from "./request";
import { buildRequest, CATALOGUE, ev, eventId, WS_A, WS_B } from "./test-fixtures";

/** A mail filed by the email door on Thursday 12 March 2026: « demande générale », no délai. */
const mail = () => buildRequest("demande_generale", { content: { channel: "courriel" } });

function choice(demarche: string, at: string, workstation = WS_A): RequestEvent {
  const r = chooseDemarche(mail(), CATALOGUE, demarche);
  if (!r.ok) throw new Error(r.error);
  return {
    id: eventId(at, workstation),
    at,
    by: "agent.dupont",
    workstation,
    kind: "demarche_chosen",
    ...r.body,
  };
}

describe("an agent chooses the démarche of a mail", () => {
  it("gives the request the démarche's service and rule, the délai counted from the date of receipt", () => {
    const before = mail();
    expect(before.dueOn).toBe("9999-12-31");
    // Chosen a week later: SVR 2 months still runs from 12 March (L114-3), not from the choice.
    const after = withEvents(before, [choice("occupation_domaine_public", "2026-03-19T10:00:00.000Z")]);
    expect(after).toMatchObject({
      demarche: "occupation_domaine_public",
      demarcheVersion: 1,
      rule: { kind: "SVR", months: 2 },
      service: "services_techniques",
      assignee: "",
      status: "assigned",
      receivedOn: "2026-03-12",
      dueOn: "2026-05-12",
    });
    expect(after.fields).toEqual(before.fields);
  });

  it("keeps the latest choice whatever order two workstations' choices merge in", () => {
    const a = withEvents(mail(), [choice("occupation_domaine_public", "2026-03-13T09:00:00.000Z", WS_A)]);
    const b = withEvents(mail(), [choice("autorisation_buvette", "2026-03-13T10:00:00.000Z", WS_B)]);
    const ab = mergeRequests(a, b);
    const ba = mergeRequests(b, a);
    expect(ab).toEqual(ba);
    expect(ab).toMatchObject({ demarche: "autorisation_buvette", rule: { kind: "SVA", months: 2 } });
    expect(chosenDemarche(ab.events)?.demarche).toBe("autorisation_buvette");
    // A later assignment inside the service keeps the chosen démarche.
    const assigned = withEvents(ab, [ev.assigned("2026-03-14T09:00:00.000Z", "accueil", "agent.dupont")]);
    expect(assigned).toMatchObject({ demarche: "autorisation_buvette", assignee: "agent.dupont" });
  });

  it("refuses sensitive démarches, unknown ones and closed requests, in French", () => {
    const r = mail();
    expect(chooseDemarche(r, CATALOGUE, "ccas_aide")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/service protégé/),
    });
    expect(chooseDemarche(r, CATALOGUE, "nope")).toMatchObject({
      ok: false,
      error: "Démarche inconnue du catalogue.",
    });
    expect(chooseDemarche({ ...r, open: false }, CATALOGUE, "demande_generale")).toMatchObject({ ok: false });
    const ids = choosableDemarches(CATALOGUE).map((d) => d.id);
    expect(ids).toContain("occupation_domaine_public");
    expect(ids).not.toContain("ccas_aide");
    expect(ids).not.toContain("police_doleance");
  });
});

describe("pièces reçues by mail, marked later", () => {
  it("counts the délai from the day the pieces arrived, not the day the agent marked them", () => {
    const svr = buildRequest("occupation_domaine_public");
    const asked = withEvents(svr, [
      ev.status(
        "2026-03-20T09:00:00.000Z",
        "received",
        "incomplete",
        {},
        {
          missingPieces: ["Plan"],
          piecesDueOn: "2026-04-20",
        },
      ),
    ]);
    const mark = (piecesReceivedOn?: string) =>
      withEvents(asked, [
        {
          id: eventId("2026-04-02T09:00:00.000Z", WS_A),
          at: "2026-04-02T09:00:00.000Z",
          by: "agent.dupont",
          workstation: WS_A,
          kind: "status",
          from: "incomplete",
          to: "in_progress",
          ...(piecesReceivedOn ? { piecesReceivedOn } : {}),
        },
      ]);
    // SVR: suspended from 20 March; pieces arrived 25 March (5 days), marked 2 April (13 days).
    const atArrival = mark("2026-03-25");
    const atMarking = mark();
    expect(atArrival.dueOn < atMarking.dueOn).toBe(true);
    // A date after the marking, or before the request for pieces, is brought back within them.
    expect(mark("2026-05-01").dueOn).toBe(atMarking.dueOn);
    expect(mark("2026-03-01").dueOn).toBe(mark("2026-03-20").dueOn);
  });
});
