// Implicit-decision deadlines (silence de l'administration, CRPA).
//
// Articles are those of the Code des relations entre le public et l'administration.
//
// Semantics (one choice, applied everywhere):
// - The count starts the day after the event (dies a quo not counted): receipt on
//   15/01 → the period starts on 16/01.
// - Months run date to date (addMonthsLegal): 15/01 + 2 months → 15/03; 31/12 + 2 months
//   → 28/02 (29/02 in a leap year). A period in days ends on event + N days.
// - `dueOn` is the LAST DAY of the period. The administration can still answer during
//   the whole of that day; the implicit decision is born at the end of it (midnight),
//   i.e. it exists from `dueOn + 1` at 00:00. Démarches simplifiées prints that next
//   day ("filing date + 1 day + period"): the same instant, one day later on paper.
//   The AR should read "réputée acceptée/rejetée le {dueOn}" (R112-5).
// - Suspension (L114-5, "resume"): the day the missing pieces are requested still
//   counts, the count resumes the day after they arrive, and the days in between
//   (daysBetween(request, arrival)) are added to the due date.
// - "restart": the full period runs again from the day after the pieces arrive.
// - A file incomplete from the start (the clock never ran) gets the full period from
//   the day after completion, whatever onCorrection says (L114-5 for SVA; for SVR the
//   whole period remains when nothing has run).
// - SVR suspension with a time limit (incomplete.piecesDueOn): the suspension ends at
//   the end of that day even without the pieces (L114-5); until a later event is
//   recorded, `pausedUntil` holds that day and `dueOn` the date it implies.
// - "competent" starts SVA (L114-3: receipt by the competent administration); for SVR
//   it is only noted, the clock ran from the first receipt.
// - Events are replayed in a fixed order (see sortEvents), so merged offline histories
//   give the same result whatever their order. Events dated before the start count as
//   on the start day. Events after the implicit decision was born change nothing.
// - shiftToWorkingDay: when true, a due date on a Saturday, Sunday, public holiday or
//   day the mairie is closed moves to the next working day, as appeal deadlines do
//   (CE, 2014, n° 362568). Whether this applies to the birth of an implicit decision
//   is unsettled, so each commune chooses; false keeps the plain calendar date.

import {
  addDays,
  addMonthsLegal,
  assertIsoDate,
  type CommuneCalendar,
  dayOfWeek,
  daysBetween,
  formatFrenchDate as fr,
  holidayName,
  nextWorkingDay,
} from "./calendar";

export type DeadlineRule = {
  kind: "SVA" | "SVR" | "none";
  /** Default 2 when kind is SVA/SVR (L231-1, L231-4); other délais under L231-6. */
  months?: number;
  /** Alternative to months for short delays; never both. */
  days?: number;
  onCorrection: "resume" | "restart";
};

export type DeadlinePolicy = {
  /** Move a due date falling on a non-working day to the next working day (see top of file). */
  shiftToWorkingDay: boolean;
  /** Which date of a posted letter starts the clock; L112-1 lets the postmark count for the citizen's own deadlines. */
  startFrom: "received" | "postmark";
  calendar: CommuneCalendar;
};

export type ClockEvent =
  /**
   * The mairie asked for missing pieces (L114-5). `piecesDueOn` is the time limit it
   * set: for SVR the suspension ends then even if nothing arrives (L114-5); SVA
   * never starts without the pieces, so it has no effect there.
   */
  | { kind: "incomplete"; date: string; piecesDueOn?: string }
  /** The missing pieces arrived. */
  | { kind: "complete"; date: string }
  /** Received by the competent administration after a forward (L114-2); starts SVA (L114-3). */
  | { kind: "competent"; date: string };

export type DeadlineInput = {
  rule: DeadlineRule;
  receivedOn: string;
  postmarkOn?: string;
  clock: ClockEvent[];
  policy: DeadlinePolicy;
};

export type Deadline = {
  /** What silence means; null for rule "none". */
  outcome: "acceptance" | "rejection" | null;
  /**
   * Last day of the period (after the optional shift to a working day): the implicit
   * decision is born at the end of that day. Null for rule "none" and while the clock
   * is stopped with no computable date. While an SVR suspension has a time limit
   * (`pausedUntil`), the date assumes the pieces never come (the latest possible date).
   */
  dueOn: string | null;
  /** False while suspended or not started. True does not mean "not yet expired": compare dueOn with today. */
  running: boolean;
  /** First day counted in the current period (the day after receipt, completion...). */
  startedOn: string | null;
  /** Date of the request for pieces that stopped (or blocked) the clock. */
  pausedSince: string | null;
  /**
   * SVR only: the suspension ends at the latest at the end of this day (L114-5).
   * Optional so that Deadline literals written before it existed still type-check.
   */
  pausedUntil?: string | null;
  /** French explanation of each clock change, for the history and the AR. */
  steps: string[];
};

const KIND_ORDER: Record<ClockEvent["kind"], number> = { competent: 0, incomplete: 1, complete: 2 };

/**
 * Deterministic order for events merged from offline histories: by date, then on the
 * same day "competent" < "incomplete" < "complete" (pieces requested and supplied the
 * same day cancel out, so the clock runs), then by piecesDueOn.
 */
function sortEvents(clock: readonly ClockEvent[]): ClockEvent[] {
  const key = (e: ClockEvent) => (e.kind === "incomplete" ? (e.piecesDueOn ?? "") : "");
  return [...clock].sort(
    (a, b) => compare(a.date, b.date) || KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compare(key(a), key(b)),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function maxDate(a: string, b: string): string {
  return a > b ? a : b;
}

function checkCount(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value > 0)) {
    throw new RangeError(`DeadlineRule.${name} must be a positive integer, got ${value}`);
  }
}

const WEEKDAYS = ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"];

/** Why a day is not worked, for the step explaining a shifted due date. */
function closedReason(date: string, cal: CommuneCalendar): string {
  const holiday = holidayName(date, cal.region);
  if (holiday) return `${WEEKDAYS[dayOfWeek(date)]}, ${holiday}`;
  const dow = dayOfWeek(date);
  return dow === 0 || dow === 6 ? (WEEKDAYS[dow] ?? "") : "fermeture de la mairie";
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n > 1 ? "s" : ""}`;
}

/**
 * Where the clock stands while the events are replayed:
 * - before: the clock has not been armed yet (SVA waiting for the competent administration's receipt);
 * - blocked: armed but the file was incomplete, so the clock never ran;
 * - running / suspended: as the names say;
 * - born: a later event showed that the implicit decision was already born.
 */
type Phase = "before" | "blocked" | "running" | "suspended" | "born";

type ClockState = {
  phase: Phase;
  /** Event date from which the current full period is counted (the period starts the next day). */
  anchor: string | null;
  /** Days of suspension added to the period ("resume"). */
  extraDays: number;
  /** Request for pieces that stopped or blocked the clock. */
  pausedSince: string | null;
  /** SVR: end of the time given to produce the pieces (L114-5). */
  lapseOn: string | null;
  /** Pieces requested and not yet received (the clock may run again after a lapse). */
  missing: boolean;
  bornOn: string | null;
};

function validate(input: DeadlineInput): void {
  const { rule } = input;
  checkCount("months", rule.months);
  checkCount("days", rule.days);
  if (rule.months !== undefined && rule.days !== undefined) {
    throw new RangeError("DeadlineRule: give months or days, not both");
  }
  assertIsoDate(input.receivedOn);
  if (input.postmarkOn !== undefined) assertIsoDate(input.postmarkOn);
  for (const e of input.clock) {
    assertIsoDate(e.date);
    if (e.kind === "incomplete" && e.piecesDueOn !== undefined) assertIsoDate(e.piecesDueOn);
  }
}

/** Point de départ: receipt, or the postmark when the commune chose it (L112-1). */
function startDate(input: DeadlineInput, steps: string[]): string {
  const received = fr(input.receivedOn);
  const postmark = input.postmarkOn;
  if (postmark === undefined) {
    steps.push(`Demande reçue le ${received}.`);
    return input.receivedOn;
  }
  if (input.policy.startFrom === "received") {
    steps.push(`Demande reçue le ${received} (cachet de la poste du ${fr(postmark)}).`);
    return input.receivedOn;
  }
  if (postmark > input.receivedOn) {
    // A postmark after receipt is a data-entry error: it must never delay the clock.
    steps.push(
      `Demande reçue le ${received} ; cachet de la poste du ${fr(postmark)} postérieur à la réception, non retenu.`,
    );
    return input.receivedOn;
  }
  steps.push(
    `Demande reçue le ${received}, cachet de la poste du ${fr(postmark)} retenu comme point de départ (choix de la commune, L112-1).`,
  );
  return postmark;
}

export function computeDeadline(input: DeadlineInput): Deadline {
  validate(input);
  const { rule, policy } = input;
  const steps: string[] = [];

  if (rule.kind === "none") {
    steps.push(
      `Demande reçue le ${fr(input.receivedOn)}. Cette démarche n'appelle pas de décision implicite : aucun délai ne court.`,
    );
    return {
      outcome: null,
      dueOn: null,
      running: false,
      startedOn: null,
      pausedSince: null,
      pausedUntil: null,
      steps,
    };
  }

  const isSVA = rule.kind === "SVA";
  const article = isSVA ? "L231-1" : "L231-4";
  const days = rule.days;
  const months = rule.months ?? 2;
  const periodLabel = days !== undefined ? plural(days, "jour") : `${months} mois`;
  const periodEnd = (anchor: string): string =>
    days !== undefined ? addDays(anchor, days) : addMonthsLegal(anchor, months);
  const shifted = (date: string): string =>
    policy.shiftToWorkingDay ? nextWorkingDay(date, policy.calendar) : date;
  const runsFrom = (date: string): string => `à compter du ${fr(addDays(date, 1))}`;

  const start = startDate(input, steps);
  const events = sortEvents(input.clock);
  // SVA runs only from receipt by the competent administration (L114-3); after
  // several forwards, only the last receipt was by the competent one.
  let armOn = start;
  if (isSVA) for (const e of events) if (e.kind === "competent") armOn = maxDate(armOn, e.date);

  const st: ClockState = {
    phase: "before",
    anchor: null,
    extraDays: 0,
    pausedSince: null,
    lapseOn: null,
    missing: false,
    bornOn: null,
  };
  const rawDue = (): string => addDays(periodEnd(st.anchor ?? start), st.extraDays);

  // Explains the end of the period (and its shift to a working day) and returns the due date.
  const dueSteps = (raw: string, lapse: string | null): string => {
    const due = shifted(raw);
    if (due !== raw) {
      steps.push(
        `Fin du délai le ${fr(raw)} (${closedReason(raw, policy.calendar)}) : reportée au premier jour ouvré, le ${fr(due)} (choix de la commune, par analogie avec CE, 2014, n° 362568).`,
      );
    }
    const decision = isSVA ? "acceptée" : "rejetée";
    steps.push(
      lapse !== null
        ? `Échéance provisoire : sans les pièces d'ici le ${fr(lapse)}, la demande sera réputée ${decision} à la fin du ${fr(due)} (${article}).`
        : `Échéance : à défaut de décision expresse, la demande est réputée ${decision} à la fin du ${fr(due)} (${article}).`,
    );
    return due;
  };

  const arm = (): void => {
    if (st.phase !== "before") return;
    if (st.missing) {
      st.phase = "blocked";
      steps.push(
        isSVA
          ? "Dossier incomplet : le délai d'acceptation ne court qu'à compter de la réception des pièces manquantes (L114-5)."
          : "Dossier incomplet dès la réception : le délai de rejet est suspendu jusqu'à la production des pièces (L114-5).",
      );
      return;
    }
    st.phase = "running";
    st.anchor = armOn;
    const from = isSVA
      ? "depuis la réception par l'administration compétente (L114-3)"
      : "depuis la réception par la première administration saisie (L114-3)";
    steps.push(
      `Délai de ${periodLabel} (silence vaut ${isSVA ? "acceptation" : "rejet"}, ${article}) ${from}, ${runsFrom(armOn)}.`,
    );
  };

  // The SVR suspension ends when the time given for the pieces runs out (L114-5).
  const lapseBefore = (date: string): void => {
    const lapse = st.lapseOn;
    if (lapse === null || lapse >= date || (st.phase !== "blocked" && st.phase !== "suspended")) return;
    if (st.phase === "blocked") {
      st.anchor = lapse;
      st.extraDays = 0;
    } else {
      st.extraDays += daysBetween(st.pausedSince ?? lapse, lapse);
    }
    st.phase = "running";
    st.pausedSince = null;
    st.lapseOn = null;
    steps.push(
      `Délai imparti pour produire les pièces expiré le ${fr(lapse)} : fin de la suspension, le délai court de nouveau ${runsFrom(lapse)} (L114-5).`,
    );
  };

  let competentNoted = false;
  for (const e of events) {
    // Events dated before the start (clock skew between workstations) count as on the start day.
    const date = maxDate(e.date, start);
    if (st.phase === "before" && date > armOn) arm();
    lapseBefore(date);
    if (st.phase === "running" && date > shifted(rawDue())) {
      st.phase = "born";
      st.bornOn = dueSteps(rawDue(), null);
    }
    if (st.phase === "born") {
      steps.push(
        `Événement du ${fr(e.date)} sans effet sur le délai : la décision implicite est née à la fin du ${fr(st.bornOn ?? date)}.`,
      );
      continue;
    }

    switch (e.kind) {
      case "competent":
        if (!isSVA) {
          steps.push(
            `Transmise à l'administration compétente le ${fr(e.date)} (L114-2) : sans effet sur le délai de rejet, qui court depuis la première réception (L114-3).`,
          );
        } else if (e.date === armOn && !competentNoted) {
          competentNoted = true;
          steps.push(`Reçue par l'administration compétente le ${fr(e.date)} (L114-2).`);
        } else {
          steps.push(
            `Transmission du ${fr(e.date)} : seule compte la réception par l'administration compétente (L114-3).`,
          );
        }
        break;

      case "incomplete": {
        const limit = e.piecesDueOn === undefined ? null : maxDate(e.piecesDueOn, date);
        const limitText = limit === null ? "" : `, à produire au plus tard le ${fr(limit)}`;
        if (!isSVA && limit !== null) st.lapseOn = limit;
        if (st.phase === "before") {
          if (!st.missing) st.pausedSince = date;
          steps.push(`Pièces manquantes demandées le ${fr(e.date)}${limitText} (L114-5).`);
        } else if (st.phase === "running") {
          st.phase = "suspended";
          st.pausedSince = date;
          steps.push(`Délai suspendu le ${fr(e.date)} : pièces manquantes${limitText} (L114-5).`);
        } else {
          steps.push(
            `Nouvelle demande de pièces le ${fr(e.date)}${limitText} : délai déjà suspendu depuis le ${fr(st.pausedSince ?? date)}.`,
          );
        }
        st.missing = true;
        break;
      }

      case "complete": {
        const on = `Pièces reçues le ${fr(e.date)}`;
        if (st.phase === "before") {
          steps.push(
            st.missing ? `${on} : dossier complet.` : `${on} : sans effet, aucune pièce n'était attendue.`,
          );
        } else if (st.phase === "blocked") {
          st.anchor = date;
          st.extraDays = 0;
          steps.push(`${on} : dossier complet, le délai de ${periodLabel} court ${runsFrom(date)} (L114-5).`);
        } else if (st.phase === "suspended" && rule.onCorrection === "resume") {
          const paused = daysBetween(st.pausedSince ?? date, date);
          st.extraDays += paused;
          steps.push(
            `${on} : reprise du délai ${runsFrom(date)}, prolongé de ${plural(paused, "jour")} de suspension (L114-5).`,
          );
        } else if (st.phase === "suspended") {
          st.anchor = date;
          st.extraDays = 0;
          steps.push(`${on} : le délai repart en entier ${runsFrom(date)}.`);
        } else if (st.missing && rule.onCorrection === "restart") {
          // Running again after the SVR suspension lapsed, the pieces still missing.
          st.anchor = date;
          st.extraDays = 0;
          steps.push(`${on}, après la fin de la suspension : le délai repart en entier ${runsFrom(date)}.`);
        } else if (st.missing) {
          steps.push(`${on}, après la fin de la suspension : sans effet sur le délai.`);
        } else {
          steps.push(`${on} : sans effet, le délai n'était pas suspendu.`);
        }
        if (st.phase !== "before") st.phase = "running";
        st.missing = false;
        st.pausedSince = null;
        st.lapseOn = null;
        break;
      }
    }
  }
  arm();

  const stopped = st.phase === "blocked" || st.phase === "suspended";
  const pendingLapse = stopped ? st.lapseOn : null;
  let dueOn: string | null = st.bornOn;
  if (st.phase === "running") {
    dueOn = dueSteps(rawDue(), null);
  } else if (pendingLapse !== null) {
    // Provisional: as if the suspension ends with the time given for the pieces.
    const raw =
      st.phase === "blocked"
        ? periodEnd(pendingLapse)
        : addDays(rawDue(), daysBetween(st.pausedSince ?? pendingLapse, pendingLapse));
    dueOn = dueSteps(raw, pendingLapse);
  } else if (stopped) {
    steps.push("Pas d'échéance tant que les pièces manquantes ne sont pas reçues (L114-5).");
  }

  const anchor = st.phase === "blocked" ? null : st.anchor;
  return {
    outcome: isSVA ? "acceptance" : "rejection",
    dueOn,
    running: !stopped,
    startedOn: anchor === null ? null : addDays(anchor, 1),
    pausedSince: stopped ? st.pausedSince : null,
    pausedUntil: pendingLapse,
    steps,
  };
}

/** Days left until the due date, 0 on the due date itself (the last day), negative once past. */
export function daysRemaining(dueOn: string, today: string): number {
  return daysBetween(today, dueOn);
}

export type RiskLevel = "none" | "ok" | "soon" | "urgent" | "overdue";

/**
 * How close the implicit decision is: "none" without a date (rule "none", clock stopped
 * waiting for pieces), "overdue" once the due date is past (the decision was born),
 * "urgent" within `urgentDays` (inclusive), "soon" within `soonDays`, else "ok".
 */
export function riskLevel(
  d: Deadline,
  today: string,
  thresholds: { soonDays: number; urgentDays: number } = { soonDays: 15, urgentDays: 5 },
): RiskLevel {
  if (d.outcome === null || d.dueOn === null) return "none";
  const left = daysRemaining(d.dueOn, today);
  if (left < 0) return "overdue";
  if (left <= thresholds.urgentDays) return "urgent";
  if (left <= thresholds.soonDays) return "soon";
  return "ok";
}
