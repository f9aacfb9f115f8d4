import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, type CommuneCalendar } from "./calendar";
import {
  type ClockEvent,
  computeDeadline,
  type Deadline,
  type DeadlineInput,
  type DeadlinePolicy,
  type DeadlineRule,
  daysRemaining,
  riskLevel,
} from "./deadlines";
import { DEFAULT_CATALOGUE } from "./default-catalogue";
import { SVA_DEMARCHE } from "./test-fixtures";

const METROPOLE: CommuneCalendar = { region: "metropole" };
const ALSACE_MOSELLE: CommuneCalendar = { region: "alsace-moselle" };
const POLICY: DeadlinePolicy = { shiftToWorkingDay: false, startFrom: "received", calendar: METROPOLE };
const SHIFT: DeadlinePolicy = { ...POLICY, shiftToWorkingDay: true };

const SVA: DeadlineRule = { kind: "SVA" };
const SVR: DeadlineRule = { kind: "SVR" };
// Settings of requests stored before the behaviour was derived from the kind: ignored.
const OLD_SVA_RESUME: DeadlineRule = { kind: "SVA", onCorrection: "resume" };
const OLD_SVR_RESTART: DeadlineRule = { kind: "SVR", onCorrection: "restart" };

const incomplete = (date: string, piecesDueOn?: string): ClockEvent =>
  piecesDueOn === undefined ? { kind: "incomplete", date } : { kind: "incomplete", date, piecesDueOn };
const complete = (date: string): ClockEvent => ({ kind: "complete", date });
const competent = (date: string): ClockEvent => ({ kind: "competent", date });

function input(partial: Partial<DeadlineInput> = {}): DeadlineInput {
  return { rule: SVA, receivedOn: "2026-01-15", clock: [], policy: POLICY, ...partial };
}

type Row = {
  rule: string;
  input: Partial<DeadlineInput>;
  expected: Partial<Deadline>;
};

// Receipt on Thursday 15/01/2026 unless stated; 15/03/2026 is a Sunday.
const rows: Row[] = [
  {
    rule: "SVA 2 months, date to date (L231-1): received 15/01, decision at the end of 15/03",
    input: {},
    expected: { outcome: "acceptance", dueOn: "2026-03-15", running: true, startedOn: "2026-01-16" },
  },
  {
    rule: "SVR runs from receipt by the first administration, a forward changes nothing (L231-4, L114-3)",
    input: { rule: SVR, clock: [competent("2026-01-20")] },
    expected: { outcome: "rejection", dueOn: "2026-03-15", startedOn: "2026-01-16" },
  },
  {
    rule: "31 Dec + 2 months ends on the last day of February (2027)",
    input: { receivedOn: "2026-12-31" },
    expected: { dueOn: "2027-02-28" },
  },
  {
    rule: "31 Dec + 2 months ends on the last day of February (leap year 2028)",
    input: { receivedOn: "2027-12-31" },
    expected: { dueOn: "2028-02-29" },
  },
  {
    rule: "a délai in days ends on receipt + N days (L231-6)",
    input: { rule: { kind: "SVR", days: 15, onCorrection: "resume" } },
    expected: { dueOn: "2026-01-30", startedOn: "2026-01-16" },
  },
  {
    rule: "a one-day délai ends the next day",
    input: { rule: { kind: "SVR", days: 1, onCorrection: "resume" } },
    expected: { dueOn: "2026-01-16" },
  },
  {
    rule: "a one-month délai from 31 January ends on 28 February (L231-6)",
    input: { rule: { kind: "SVR", months: 1, onCorrection: "resume" }, receivedOn: "2026-01-31" },
    expected: { dueOn: "2026-02-28" },
  },
  {
    rule: "SVA runs from receipt by the competent administration (L114-3)",
    input: { clock: [competent("2026-01-22")] },
    expected: { dueOn: "2026-03-22", startedOn: "2026-01-23", running: true },
  },
  {
    rule: "SVA forwarded twice: only the last receipt, by the competent administration, counts (L114-3)",
    input: { clock: [competent("2026-01-25"), competent("2026-01-20"), competent("2026-01-25")] },
    expected: { dueOn: "2026-03-25" },
  },
  {
    rule: "SVR suspended by missing pieces then resumed, 10 days added (L114-5)",
    input: { rule: SVR, clock: [incomplete("2026-02-01"), complete("2026-02-11")] },
    expected: { dueOn: "2026-03-25", running: true, startedOn: "2026-01-16", pausedSince: null },
  },
  {
    rule: "SVR with an old 'restart' setting is still only suspended: 10 days added (L114-5 al. 4)",
    input: { rule: OLD_SVR_RESTART, clock: [incomplete("2026-02-01"), complete("2026-02-11")] },
    expected: { dueOn: "2026-03-25", startedOn: "2026-01-16" },
  },
  {
    rule: "SVA: pieces asked mid-course, the full 2 months run again from the complete file (L114-5 al. 3)",
    input: { clock: [incomplete("2026-02-01"), complete("2026-02-11")] },
    expected: { dueOn: "2026-04-11", startedOn: "2026-02-12", running: true },
  },
  {
    rule: "SVA with an old 'resume' setting restarts all the same (L114-5 al. 3)",
    input: { rule: OLD_SVA_RESUME, clock: [incomplete("2026-02-01"), complete("2026-02-11")] },
    expected: { dueOn: "2026-04-11", startedOn: "2026-02-12" },
  },
  {
    rule: "SVA (the issue's case): received 02/03, incomplete 09/03, complete 20/03 → 20/05",
    input: {
      rule: OLD_SVA_RESUME,
      receivedOn: "2026-03-02",
      clock: [incomplete("2026-03-09", "2026-03-31"), complete("2026-03-20")],
    },
    expected: { dueOn: "2026-05-20", startedOn: "2026-03-21", running: true, pausedUntil: null },
  },
  {
    rule: "SVA incomplete from receipt: the full delay runs from completion, even with resume (L114-5)",
    input: { clock: [incomplete("2026-01-15"), complete("2026-02-10")] },
    expected: { dueOn: "2026-04-10", startedOn: "2026-02-11", running: true },
  },
  {
    rule: "SVR incomplete from receipt: nothing has run, the full delay runs from completion (L114-5)",
    input: { rule: SVR, clock: [incomplete("2026-01-15"), complete("2026-02-10")] },
    expected: { dueOn: "2026-04-10", startedOn: "2026-02-11" },
  },
  {
    rule: "SVA still waiting for pieces: no date, the period that ran is void (L114-5 al. 3)",
    input: { clock: [incomplete("2026-01-20", "2026-02-20")] },
    expected: { dueOn: null, running: false, pausedSince: "2026-01-20", startedOn: null, pausedUntil: null },
  },
  {
    rule: "SVA incomplete from receipt and still waiting: not started, no date",
    input: { clock: [incomplete("2026-01-15")] },
    expected: { dueOn: null, running: false, pausedSince: "2026-01-15", startedOn: null },
  },
  {
    rule: "SVA: the time limit for the pieces does not start the clock (L114-5)",
    input: { clock: [incomplete("2026-01-15", "2026-01-31")] },
    expected: { dueOn: null, running: false, pausedUntil: null },
  },
  {
    rule: "SVR suspended with no time limit: no date until the pieces arrive",
    input: { rule: SVR, clock: [incomplete("2026-01-20")] },
    expected: { dueOn: null, running: false, pausedSince: "2026-01-20", pausedUntil: null },
  },
  {
    rule: "SVR suspension ends with the time given for the pieces: provisional date (L114-5)",
    input: { rule: SVR, clock: [incomplete("2026-02-01", "2026-02-21")] },
    expected: { dueOn: "2026-04-04", running: false, pausedSince: "2026-02-01", pausedUntil: "2026-02-21" },
  },
  {
    rule: "SVR pieces produced before the time limit end the suspension early (L114-5)",
    input: { rule: SVR, clock: [incomplete("2026-02-01", "2026-02-21"), complete("2026-02-05")] },
    expected: { dueOn: "2026-03-19", running: true, pausedUntil: null },
  },
  {
    rule: "SVR pieces produced on the last day of the time limit: 20 days of suspension",
    input: { rule: OLD_SVR_RESTART, clock: [incomplete("2026-02-01", "2026-02-21"), complete("2026-02-21")] },
    expected: { dueOn: "2026-04-04", startedOn: "2026-01-16", running: true },
  },
  {
    rule: "SVR late pieces after the suspension lapsed change nothing when the count resumes",
    input: { rule: SVR, clock: [incomplete("2026-02-01", "2026-02-21"), complete("2026-03-01")] },
    expected: { dueOn: "2026-04-04", running: true, pausedSince: null },
  },
  {
    rule: "SVR late pieces after the lapse never restart the count, whatever an old setting says",
    input: { rule: OLD_SVR_RESTART, clock: [incomplete("2026-02-01", "2026-02-21"), complete("2026-03-01")] },
    expected: { dueOn: "2026-04-04", startedOn: "2026-01-16" },
  },
  {
    rule: "SVR incomplete from receipt with a time limit: the full delay runs from the limit",
    input: { rule: SVR, clock: [incomplete("2026-01-15", "2026-02-14")] },
    expected: { dueOn: "2026-04-14", running: false, startedOn: null, pausedUntil: "2026-02-14" },
  },
  {
    rule: "SVR incomplete from receipt, time limit lapsed, late pieces change nothing under resume",
    input: { rule: SVR, clock: [incomplete("2026-01-15", "2026-02-14"), complete("2026-03-01")] },
    expected: { dueOn: "2026-04-14", running: true, startedOn: "2026-02-15" },
  },
  {
    rule: "SVR a second request for pieces sets a new time limit",
    input: {
      rule: SVR,
      clock: [incomplete("2026-02-05", "2026-02-21"), incomplete("2026-02-01", "2026-02-11")],
    },
    expected: { dueOn: "2026-04-04", pausedSince: "2026-02-01", pausedUntil: "2026-02-21" },
  },
  {
    rule: "two requests for pieces in a row count as one suspension",
    input: { rule: SVR, clock: [incomplete("2026-02-01"), incomplete("2026-02-05"), complete("2026-02-11")] },
    expected: { dueOn: "2026-03-25" },
  },
  {
    rule: "duplicated events (merged histories) count once (SVA: restart from 11/02)",
    input: {
      clock: [
        incomplete("2026-02-01"),
        complete("2026-02-11"),
        incomplete("2026-02-01"),
        complete("2026-02-11"),
      ],
    },
    expected: { dueOn: "2026-04-11" },
  },
  {
    rule: "SVR successive suspensions add up (10 + 5 days)",
    input: {
      rule: SVR,
      clock: [
        incomplete("2026-02-01"),
        complete("2026-02-11"),
        incomplete("2026-03-01"),
        complete("2026-03-06"),
      ],
    },
    expected: { dueOn: "2026-03-30" },
  },
  {
    rule: "SVA successive requests for pieces: each complete file starts the full period again",
    input: {
      clock: [
        incomplete("2026-02-01"),
        complete("2026-02-11"),
        incomplete("2026-03-01"),
        complete("2026-03-06"),
      ],
    },
    expected: { dueOn: "2026-05-06", startedOn: "2026-03-07" },
  },
  {
    rule: "SVR pieces requested and supplied the same day: a suspension of 0 days",
    input: { rule: SVR, clock: [complete("2026-02-01"), incomplete("2026-02-01")] },
    expected: { dueOn: "2026-03-15", running: true },
  },
  {
    rule: "SVA pieces requested and supplied the same day: the complete file is of that day",
    input: { clock: [complete("2026-02-01"), incomplete("2026-02-01")] },
    expected: { dueOn: "2026-04-01", running: true, startedOn: "2026-02-02" },
  },
  {
    rule: "pieces received with no request pending change nothing",
    input: { clock: [complete("2026-02-01")] },
    expected: { dueOn: "2026-03-15" },
  },
  {
    rule: "SVA: pieces supplied before the forward, the clock runs from the competent receipt (L114-3, L114-5)",
    input: { clock: [incomplete("2026-01-16"), complete("2026-01-18"), competent("2026-01-25")] },
    expected: { dueOn: "2026-03-25", startedOn: "2026-01-26" },
  },
  {
    rule: "SVA: pieces arriving after the competent receipt start the full delay (L114-5)",
    input: { clock: [incomplete("2026-01-16"), competent("2026-01-25"), complete("2026-02-03")] },
    expected: { dueOn: "2026-04-03", startedOn: "2026-02-04" },
  },
  {
    rule: "SVA: found incomplete on the day the competent administration receives it, the clock does not start",
    input: { clock: [competent("2026-01-25"), incomplete("2026-01-25")] },
    expected: { dueOn: null, startedOn: null, pausedSince: "2026-01-25" },
  },
  {
    rule: "a postmark never starts the silence délai, even with the old 'postmark' setting (L114-3, L231-1)",
    input: { postmarkOn: "2026-01-12", policy: { ...POLICY, startFrom: "postmark" } },
    expected: { dueOn: "2026-03-15", startedOn: "2026-01-16" },
  },
  {
    rule: "receipt starts the clock by default, the postmark is only recorded",
    input: { postmarkOn: "2026-01-12" },
    expected: { dueOn: "2026-03-15" },
  },
  {
    rule: "a postmark later than receipt (entry error) never delays the clock",
    input: { postmarkOn: "2026-01-20", policy: { ...POLICY, startFrom: "postmark" } },
    expected: { dueOn: "2026-03-15" },
  },
  {
    rule: "due date on a Sunday stays when shiftToWorkingDay is false",
    input: {},
    expected: { dueOn: "2026-03-15" },
  },
  {
    rule: "due date on a Sunday moves to Monday when shiftToWorkingDay is true (CE 2014 n° 362568)",
    input: { policy: SHIFT },
    expected: { dueOn: "2026-03-16" },
  },
  {
    rule: "Alsace-Moselle: Good Friday is not a working day (due 03/04/2026 moves to Tuesday 07/04)",
    input: { receivedOn: "2026-02-03", policy: { ...SHIFT, calendar: ALSACE_MOSELLE } },
    expected: { dueOn: "2026-04-07" },
  },
  {
    rule: "metropole: Good Friday is a working day, the due date stays",
    input: { receivedOn: "2026-02-03", policy: SHIFT },
    expected: { dueOn: "2026-04-03" },
  },
  {
    rule: "Easter Monday moves the due date to Tuesday when shifting",
    input: { receivedOn: "2026-02-06", policy: SHIFT },
    expected: { dueOn: "2026-04-07" },
  },
  {
    rule: "Easter Monday does not move the due date without shifting",
    input: { receivedOn: "2026-02-06" },
    expected: { dueOn: "2026-04-06" },
  },
  {
    rule: "a day the mairie declared closed (pont de l'Ascension) moves the due date when shifting",
    input: {
      receivedOn: "2026-03-15",
      policy: { ...SHIFT, calendar: { region: "metropole", extraClosedDays: ["2026-05-15"] } },
    },
    expected: { dueOn: "2026-05-18" },
  },
  {
    rule: "a request for pieces after the decision was born has no effect",
    input: { rule: SVR, clock: [incomplete("2026-04-01"), complete("2026-04-10")] },
    expected: { dueOn: "2026-03-15", running: true, pausedSince: null },
  },
  {
    rule: "SVA pieces asked on the due date itself, before the decision is born: full period from the pieces",
    input: { clock: [incomplete("2026-03-15"), complete("2026-03-20")] },
    expected: { dueOn: "2026-05-20" },
  },
  {
    rule: "SVR pieces asked on the due date itself still suspend (the decision is born at its end)",
    input: { rule: SVR, clock: [incomplete("2026-03-15", "2026-03-31"), complete("2026-03-20")] },
    expected: { dueOn: "2026-03-20" },
  },
  {
    rule: "without shifting, a request for pieces on the Monday after a Sunday due date is too late",
    input: { clock: [incomplete("2026-03-16"), complete("2026-03-20")] },
    expected: { dueOn: "2026-03-15" },
  },
  {
    rule: "with shifting, SVA pieces asked on that Monday are in time: full period from the pieces",
    input: { policy: SHIFT, clock: [incomplete("2026-03-16"), complete("2026-03-20")] },
    expected: { dueOn: "2026-05-20" },
  },
  {
    rule: "with shifting, SVR pieces asked on that Monday suspend 4 days (due Thursday 19/03)",
    input: {
      rule: SVR,
      policy: SHIFT,
      clock: [incomplete("2026-03-16", "2026-03-31"), complete("2026-03-20")],
    },
    expected: { dueOn: "2026-03-19" },
  },
  {
    rule: "events dated before the receipt (clock skew) count as on the receipt day",
    input: { rule: SVR, clock: [incomplete("2026-01-10"), complete("2026-02-10")] },
    expected: { dueOn: "2026-04-10", startedOn: "2026-02-11" },
  },
  {
    rule: "rule none → no date (signalements, questions)",
    input: { rule: { kind: "none", onCorrection: "resume" }, clock: [incomplete("2026-02-01")] },
    expected: { outcome: null, dueOn: null, running: false, startedOn: null, pausedSince: null },
  },
];

describe("computeDeadline: worked examples", () => {
  it.each(rows)("$rule", ({ input: partial, expected }) => {
    expect(computeDeadline(input(partial))).toMatchObject(expected);
  });

  it("gives the same result whatever the order of the events", () => {
    const clock = [incomplete("2026-02-01", "2026-02-21"), competent("2026-01-20"), complete("2026-02-11")];
    const expected = computeDeadline(input({ rule: SVR, clock }));
    expect(computeDeadline(input({ rule: SVR, clock: [...clock].reverse() }))).toEqual(expected);
    expect(computeDeadline(input({ rule: SVR, clock: [clock[2]!, clock[0]!, clock[1]!] }))).toEqual(expected);
  });

  it("does not modify the events it is given", () => {
    const clock = [complete("2026-02-11"), incomplete("2026-02-01")];
    const copy = structuredClone(clock);
    computeDeadline(input({ clock }));
    expect(clock).toEqual(copy);
  });
});

describe("computeDeadline: explanation steps (history and AR)", () => {
  it("explains a suspension and its resumption in French, with the article", () => {
    const { steps } = computeDeadline(
      input({ rule: SVR, clock: [incomplete("2026-03-12", "2026-03-31"), complete("2026-03-20")] }),
    );
    expect(steps).toEqual([
      "Demande reçue le 15/01/2026.",
      "Délai de 2 mois (silence vaut rejet, L231-4) depuis la réception par la première administration saisie (L114-3), à compter du 16/01/2026.",
      "Délai suspendu le 12/03/2026 : pièces manquantes, à produire au plus tard le 31/03/2026 (L114-5).",
      "Pièces reçues le 20/03/2026 : fin de la suspension, le délai reprend à compter du 21/03/2026, prolongé de 8 jours de suspension (L114-5).",
      "Échéance : à défaut de décision expresse, la demande est réputée rejetée à la fin du 23/03/2026 (L231-4).",
    ]);
  });

  it("explains that SVA runs again in full from the complete file", () => {
    const { steps } = computeDeadline(input({ clock: [incomplete("2026-02-01"), complete("2026-02-11")] }));
    expect(steps).toContain(
      "Pièces manquantes demandées le 01/02/2026 : le délai d'acceptation ne court qu'à compter de la réception du dossier complet (L114-5).",
    );
    expect(steps).toContain(
      "Pièces reçues le 11/02/2026 : dossier complet, le délai de 2 mois court en entier à compter du 12/02/2026 (L114-5).",
    );
  });

  it("says when an SVR request for pieces has no time limit (mandatory, L114-5)", () => {
    const { steps } = computeDeadline(input({ rule: SVR, clock: [incomplete("2026-02-01")] }));
    expect(steps).toContain(
      "Aucun délai imparti pour produire les pièces : la suspension dure jusqu'à leur réception (le délai imparti est obligatoire, L114-5).",
    );
  });

  it("explains why SVA waits for the pieces", () => {
    const { steps } = computeDeadline(input({ clock: [incomplete("2026-01-15"), complete("2026-02-10")] }));
    expect(steps).toEqual([
      "Demande reçue le 15/01/2026.",
      "Pièces manquantes demandées le 15/01/2026 (L114-5).",
      "Dossier incomplet : le délai d'acceptation ne court qu'à compter de la réception des pièces manquantes (L114-5).",
      "Pièces reçues le 10/02/2026 : dossier complet, le délai de 2 mois court en entier à compter du 11/02/2026 (L114-5).",
      "Échéance : à défaut de décision expresse, la demande est réputée acceptée à la fin du 10/04/2026 (L231-1).",
    ]);
  });

  it("explains a due date moved off a Sunday", () => {
    const { steps } = computeDeadline(input({ policy: SHIFT }));
    expect(steps).toContain(
      "Fin du délai le 15/03/2026 (dimanche) : reportée au premier jour ouvré, le 16/03/2026 (choix de la commune, par analogie avec CE, 2014, n° 362568).",
    );
  });

  it("names the holiday when a due date is moved off one", () => {
    const { steps } = computeDeadline(
      input({ receivedOn: "2026-02-03", policy: { ...SHIFT, calendar: ALSACE_MOSELLE } }),
    );
    expect(steps.some((s) => s.startsWith("Fin du délai le 03/04/2026 (vendredi, Vendredi saint)"))).toBe(
      true,
    );
  });

  it("names the closure when a due date is moved off a day the mairie is closed", () => {
    const { steps } = computeDeadline(
      input({
        receivedOn: "2026-03-15",
        policy: { ...SHIFT, calendar: { region: "metropole", extraClosedDays: ["2026-05-15"] } },
      }),
    );
    expect(steps.some((s) => s.includes("(fermeture de la mairie)"))).toBe(true);
  });

  it("records the postmark and says that the délai runs from receipt", () => {
    const expected =
      "Demande reçue le 15/01/2026 (cachet de la poste du 12/01/2026, qui compte pour les délais imposés au demandeur, L112-1 ; le délai de la décision implicite court de la réception, L114-3).";
    expect(computeDeadline(input({ postmarkOn: "2026-01-12" })).steps[0]).toBe(expected);
    expect(
      computeDeadline(input({ postmarkOn: "2026-01-12", policy: { ...POLICY, startFrom: "postmark" } }))
        .steps[0],
    ).toBe(expected);
  });

  it("notes a forward: it starts SVA, and is without effect on SVR", () => {
    const sva = computeDeadline(input({ clock: [competent("2026-01-20"), competent("2026-01-25")] })).steps;
    expect(sva).toContain("Reçue par l'administration compétente le 25/01/2026 (L114-2).");
    expect(sva).toContain(
      "Transmission du 20/01/2026 : seule compte la réception par l'administration compétente (L114-3).",
    );
    const svr = computeDeadline(input({ rule: SVR, clock: [competent("2026-01-20")] })).steps;
    expect(svr.some((s) => s.startsWith("Transmise à l'administration compétente le 20/01/2026"))).toBe(true);
  });

  it("notes redundant events instead of failing on them", () => {
    const { steps } = computeDeadline(
      input({
        rule: SVR,
        clock: [
          incomplete("2026-02-01"),
          incomplete("2026-02-05"),
          complete("2026-02-11"),
          complete("2026-02-12"),
        ],
      }),
    );
    expect(steps).toContain(
      "Nouvelle demande de pièces le 05/02/2026 : délai déjà suspendu depuis le 01/02/2026.",
    );
    expect(steps).toContain("Pièces reçues le 12/02/2026 : sans effet, le délai n'était pas suspendu.");
  });

  it("gives the time limit for the pieces and a provisional date (L114-5)", () => {
    const { steps } = computeDeadline(input({ rule: SVR, clock: [incomplete("2026-02-01", "2026-02-21")] }));
    expect(steps).toContain(
      "Délai suspendu le 01/02/2026 : pièces manquantes, à produire au plus tard le 21/02/2026 (L114-5).",
    );
    expect(steps.at(-1)).toBe(
      "Échéance provisoire : sans les pièces d'ici le 21/02/2026, la demande sera réputée rejetée à la fin du 04/04/2026 (L231-4).",
    );
  });

  it("explains the end of a lapsed suspension and the effect of late pieces", () => {
    const resume = computeDeadline(
      input({ rule: SVR, clock: [incomplete("2026-02-01", "2026-02-21"), complete("2026-03-01")] }),
    ).steps;
    expect(resume).toContain(
      "Délai imparti pour produire les pièces expiré le 21/02/2026 : fin de la suspension, le délai court de nouveau à compter du 22/02/2026 (L114-5).",
    );
    expect(resume).toContain(
      "Pièces reçues le 01/03/2026, après la fin de la suspension : sans effet sur le délai (L114-5).",
    );
  });

  it("says when there is no date yet", () => {
    expect(computeDeadline(input({ clock: [incomplete("2026-01-20")] })).steps.at(-1)).toBe(
      "Pas d'échéance tant que les pièces manquantes ne sont pas reçues (L114-5).",
    );
  });

  it("puts the birth of the decision before the events that came too late", () => {
    const { steps } = computeDeadline(input({ rule: SVR, clock: [incomplete("2026-04-01")] }));
    expect(steps.slice(-2)).toEqual([
      "Échéance : à défaut de décision expresse, la demande est réputée rejetée à la fin du 15/03/2026 (L231-4).",
      "Événement du 01/04/2026 sans effet sur le délai : la décision implicite est née à la fin du 15/03/2026.",
    ]);
  });

  it("notes pieces that arrive before anything was asked, while SVA waits for the competent administration", () => {
    const { steps } = computeDeadline(input({ clock: [complete("2026-01-18"), competent("2026-01-25")] }));
    expect(steps).toContain("Pièces reçues le 18/01/2026 : sans effet, aucune pièce n'était attendue.");
  });

  it("says that rule none has no implicit decision", () => {
    expect(computeDeadline(input({ rule: { kind: "none", onCorrection: "resume" } })).steps).toEqual([
      "Demande reçue le 15/01/2026. Cette démarche n'appelle pas de décision implicite : aucun délai ne court.",
    ]);
  });
});

describe("computeDeadline: invalid input", () => {
  it.each<[string, Partial<DeadlineInput>]>([
    ["months and days together", { rule: { kind: "SVA", months: 2, days: 10, onCorrection: "resume" } }],
    ["zero months", { rule: { kind: "SVA", months: 0, onCorrection: "resume" } }],
    ["fractional days", { rule: { kind: "SVR", days: 1.5, onCorrection: "resume" } }],
    ["an invalid receipt date", { receivedOn: "2026-02-30" }],
    ["an invalid postmark", { postmarkOn: "12/01/2026" }],
    ["an invalid event date", { clock: [complete("2026-13-01")] }],
    ["an invalid time limit for the pieces", { clock: [incomplete("2026-02-01", "2026-02-31")] }],
  ])("refuses %s", (_, partial) => {
    expect(() => computeDeadline(input(partial))).toThrow(RangeError);
  });
});

describe("computeDeadline: properties", () => {
  const BASE = "2026-01-01";
  const day = fc.integer({ min: 0, max: 150 }).map((n) => addDays(BASE, n));
  const event: fc.Arbitrary<ClockEvent> = fc.oneof(
    fc.record({ kind: fc.constant("incomplete" as const), date: day }),
    fc.record({ kind: fc.constant("incomplete" as const), date: day, piecesDueOn: day }),
    fc.record({ kind: fc.constant("complete" as const), date: day }),
    fc.record({ kind: fc.constant("competent" as const), date: day }),
  );
  const rule: fc.Arbitrary<DeadlineRule> = fc.record({
    kind: fc.constantFrom("SVA" as const, "SVR" as const),
    onCorrection: fc.constantFrom("resume" as const, "restart" as const),
  });
  const deadlineInput: fc.Arbitrary<DeadlineInput> = fc.record({
    rule,
    receivedOn: fc.integer({ min: 0, max: 40 }).map((n) => addDays(BASE, n)),
    postmarkOn: fc.integer({ min: -5, max: 0 }).map((n) => addDays(BASE, n + 10)),
    clock: fc.array(event, { maxLength: 8 }),
    policy: fc.record({
      shiftToWorkingDay: fc.boolean(),
      startFrom: fc.constantFrom("received" as const, "postmark" as const),
      calendar: fc.constantFrom(METROPOLE, ALSACE_MOSELLE),
    }),
  });

  it("gives an identical Deadline for shuffled clock events", () => {
    fc.assert(
      fc.property(
        deadlineInput.chain((i) =>
          fc.tuple(
            fc.constant(i),
            fc.shuffledSubarray(i.clock, { minLength: i.clock.length, maxLength: i.clock.length }),
          ),
        ),
        ([i, shuffled]) => {
          expect(computeDeadline({ ...i, clock: shuffled })).toEqual(computeDeadline(i));
        },
      ),
      { numRuns: 500 },
    );
  });

  it("never brings the due date forward because of missing pieces or forwards", () => {
    fc.assert(
      fc.property(deadlineInput, (i) => {
        const withEvents = computeDeadline(i).dueOn;
        const plain = computeDeadline({ ...i, clock: [] }).dueOn;
        if (withEvents !== null && plain !== null) expect(withEvents >= plain).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps running, pausedSince and pausedUntil consistent", () => {
    fc.assert(
      fc.property(deadlineInput, (i) => {
        const d = computeDeadline(i);
        expect(d.running).toBe(d.pausedSince === null);
        if (d.pausedUntil) expect(d.running).toBe(false);
        if (d.running) expect(d.dueOn).not.toBeNull();
        if (d.dueOn !== null && d.startedOn !== null) expect(d.dueOn >= d.startedOn).toBe(true);
        expect(d.steps.length).toBeGreaterThan(0);
      }),
      { numRuns: 500 },
    );
  });
});

describe("daysRemaining", () => {
  it("counts down to 0 on the due date (the decision is born at its end), negative after", () => {
    expect(daysRemaining("2026-03-15", "2026-03-10")).toBe(5);
    expect(daysRemaining("2026-03-15", "2026-03-15")).toBe(0);
    expect(daysRemaining("2026-03-15", "2026-03-16")).toBe(-1);
    expect(daysRemaining("2026-03-15", "2026-01-15")).toBe(59);
  });
});

describe("riskLevel", () => {
  const due = computeDeadline(input()); // due 2026-03-15

  it.each([
    ["2026-02-27", "ok", "16 days left"],
    ["2026-02-28", "soon", "15 days left (default soonDays)"],
    ["2026-03-09", "soon", "6 days left"],
    ["2026-03-10", "urgent", "5 days left (default urgentDays)"],
    ["2026-03-15", "urgent", "due today"],
    ["2026-03-16", "overdue", "the decision was born yesterday"],
  ])("on %s the risk is %s: %s", (today, level) => {
    expect(riskLevel(due, today)).toBe(level);
  });

  it("accepts custom thresholds", () => {
    const t = { soonDays: 30, urgentDays: 10 };
    expect(riskLevel(due, "2026-02-14", t)).toBe("soon"); // 29 days
    expect(riskLevel(due, "2026-03-05", t)).toBe("urgent");
    expect(riskLevel(due, "2026-02-01", t)).toBe("ok");
  });

  it("is none for rule none and while the clock waits for pieces", () => {
    expect(
      riskLevel(computeDeadline(input({ rule: { kind: "none", onCorrection: "resume" } })), "2026-03-14"),
    ).toBe("none");
    expect(riskLevel(computeDeadline(input({ clock: [incomplete("2026-01-20")] })), "2026-03-14")).toBe(
      "none",
    );
  });
});

/**
 * One hand-worked line per démarche of the default catalogue (and the SVA fixture), in three
 * situations. Received Monday 02/03/2026; pieces asked on 09/03 with 31/03 as the time limit.
 * - complete file: SVR 2 months → 02/05; 1 month → 02/04; SVA 2 months → 02/05.
 * - pieces received 20/03: SVR suspended 09/03 → 20/03 = 11 days (02/05 + 11 = 13/05; 02/04 + 11 = 13/04);
 *   SVA runs in full from 20/03 → 20/05.
 * - pieces never received: SVR suspended until the limit, 22 days (02/05 + 22 = 24/05; 02/04 + 22 = 24/04),
 *   a provisional date; SVA has no date.
 */
describe("computeDeadline: the catalogue's rules, worked by hand", () => {
  const asked = incomplete("2026-03-09", "2026-03-31");
  const table: [string, DeadlineRule, string | null, string | null, string | null][] = [
    ...DEFAULT_CATALOGUE.demarches.map(
      (d): [string, DeadlineRule, string | null, string | null, string | null] => {
        const rule = d.rule;
        if (rule.kind === "none") return [d.id, rule, null, null, null];
        if (rule.months === 1) return [d.id, rule, "2026-04-02", "2026-04-13", "2026-04-24"];
        return [d.id, rule, "2026-05-02", "2026-05-13", "2026-05-24"];
      },
    ),
    [SVA_DEMARCHE.id, SVA_DEMARCHE.rule, "2026-05-02", "2026-05-20", null],
  ];

  it("covers every rule of the default catalogue: none, SVR 2 months, SVR 1 month", () => {
    const kinds = new Set(table.map(([, r]) => `${r.kind}${r.months ?? ""}`));
    expect([...kinds].sort()).toEqual(["SVA2", "SVR1", "SVR2", "none"]);
  });

  it.each(table)("%s (%j)", (_id, rule, plain, withPieces, withoutPieces) => {
    const due = (clock: ClockEvent[]) =>
      computeDeadline(input({ rule, receivedOn: "2026-03-02", clock })).dueOn;
    expect(due([])).toBe(plain);
    expect(due([asked, complete("2026-03-20")])).toBe(withPieces);
    expect(due([asked])).toBe(withoutPieces);
  });
});
