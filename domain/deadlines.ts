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
// - The clock always starts from receipt by the administration (L114-3, L231-1). A
//   letter's postmark is recorded (it proves the date of deadlines the citizen must
//   meet, L112-1) but never starts the silence délai.
// - Missing pieces (L114-5): the behaviour follows the rule's kind, never a setting:
//   - SVA (al. 3): the délai runs only from receipt of the complete file. Pieces asked
//     before or during the period: the full period runs again from the day after they
//     arrive. The time given to produce them changes nothing (the clock waits).
//   - SVR (al. 4): the délai is suspended during the time given to produce the pieces.
//     The day they are requested still counts; the suspension ends when they arrive or
//     at the end of the time given, whichever comes first; the suspended days are added
//     to the due date. Pieces arriving after the time given change nothing. The time
//     given is mandatory (`piecesDueOn`); an old request without one stays suspended
//     until the pieces arrive, and the steps say so.
//   A file incomplete from the start (the clock never ran) gets the full period from the
//   day after completion (or, for SVR, after the time given), which is what both
//   paragraphs give when nothing has run.
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
  /**
   * Kept only so that requests stored before the rule was derived from the kind still
   * validate; ignored. The catalogue refuses a value that contradicts the kind
   * (`correctionFor`).
   */
  onCorrection?: "resume" | "restart";
};

/** What missing pieces do to the délai, from the rule's kind alone (L114-5 al. 3 and 4). */
export const correctionFor = (kind: "SVA" | "SVR"): "restart" | "resume" =>
  kind === "SVA" ? "restart" : "resume";

export type DeadlinePolicy = {
  /** Move a due date falling on a non-working day to the next working day (see top of file). */
  shiftToWorkingDay: boolean;
  /**
   * Kept so that stored requests and settings still validate; the silence délai always runs
   * from receipt (L114-3, L231-1), whatever this says.
   */
  startFrom?: "received" | "postmark";
  calendar: CommuneCalendar;
};

export type ClockEvent =
  /**
   * The mairie asked for missing pieces (L114-5). `piecesDueOn` is the time limit it set
   * (mandatory for new requests): for SVR the suspension ends then even if nothing
   * arrives; SVA never starts without the pieces, so it has no effect there.
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

/** Point de départ: always the receipt (L114-3, L231-1); a postmark is only recorded. */
function receiptStep(input: DeadlineInput): string {
  const received = fr(input.receivedOn);
  if (input.postmarkOn === undefined) return `Demande reçue le ${received}.`;
  return `Demande reçue le ${received} (cachet de la poste du ${fr(input.postmarkOn)}, qui compte pour les délais imposés au demandeur, L112-1 ; le délai de la décision implicite court de la réception, L114-3).`;
}

const NO_DECISION = (input: DeadlineInput): Deadline => ({
  outcome: null,
  dueOn: null,
  running: false,
  startedOn: null,
  pausedSince: null,
  pausedUntil: null,
  steps: [
    `Demande reçue le ${fr(input.receivedOn)}. Cette démarche n'appelle pas de décision implicite : aucun délai ne court.`,
  ],
});

/**
 * Where the clock stands while the events are replayed:
 * - before: the clock has not been armed yet (SVA waiting for the competent administration's receipt);
 * - blocked: armed but the file was incomplete, so the clock never ran;
 * - running / suspended: as the names say;
 * - born: a later event showed that the implicit decision was already born.
 */
type Phase = "before" | "blocked" | "running" | "suspended" | "born";

/** The clock of one request, replayed event by event; each step adds its French explanation. */
class Clock {
  phase: Phase = "before";
  /** Event date from which the current full period is counted (the period starts the next day). */
  anchor: string | null = null;
  /** Days of SVR suspension added to the period. */
  extraDays = 0;
  /** Request for pieces that stopped or blocked the clock. */
  pausedSince: string | null = null;
  /** SVR: end of the time given to produce the pieces (L114-5). */
  lapseOn: string | null = null;
  /** Pieces requested and not yet received (SVR: the clock may run again after a lapse). */
  missing = false;
  bornOn: string | null = null;
  competentNoted = false;
  readonly steps: string[];
  readonly isSVA: boolean;
  readonly article: string;
  readonly periodLabel: string;

  constructor(
    readonly rule: DeadlineRule & { kind: "SVA" | "SVR" },
    readonly policy: DeadlinePolicy,
    readonly start: string,
    /** SVA: the last receipt by the competent administration; SVR: the first receipt. */
    readonly armOn: string,
    firstStep: string,
  ) {
    this.steps = [firstStep];
    this.isSVA = rule.kind === "SVA";
    this.article = this.isSVA ? "L231-1" : "L231-4";
    this.periodLabel = rule.days !== undefined ? plural(rule.days, "jour") : `${rule.months ?? 2} mois`;
  }

  periodEnd(anchor: string): string {
    return this.rule.days !== undefined
      ? addDays(anchor, this.rule.days)
      : addMonthsLegal(anchor, this.rule.months ?? 2);
  }

  shifted(date: string): string {
    return this.policy.shiftToWorkingDay ? nextWorkingDay(date, this.policy.calendar) : date;
  }

  rawDue(): string {
    return addDays(this.periodEnd(this.anchor ?? this.start), this.extraDays);
  }

  stopped(): boolean {
    return this.phase === "blocked" || this.phase === "suspended";
  }

  /** Explains the end of the period (and its shift to a working day) and returns the due date. */
  dueSteps(raw: string, lapse: string | null): string {
    const due = this.shifted(raw);
    if (due !== raw) {
      this.steps.push(
        `Fin du délai le ${fr(raw)} (${closedReason(raw, this.policy.calendar)}) : reportée au premier jour ouvré, le ${fr(due)} (choix de la commune, par analogie avec CE, 2014, n° 362568).`,
      );
    }
    const decision = this.isSVA ? "acceptée" : "rejetée";
    this.steps.push(
      lapse !== null
        ? `Échéance provisoire : sans les pièces d'ici le ${fr(lapse)}, la demande sera réputée ${decision} à la fin du ${fr(due)} (${this.article}).`
        : `Échéance : à défaut de décision expresse, la demande est réputée ${decision} à la fin du ${fr(due)} (${this.article}).`,
    );
    return due;
  }

  arm(): void {
    if (this.phase !== "before") return;
    if (this.missing) {
      this.phase = "blocked";
      this.steps.push(
        this.isSVA
          ? "Dossier incomplet : le délai d'acceptation ne court qu'à compter de la réception des pièces manquantes (L114-5)."
          : "Dossier incomplet dès la réception : le délai de rejet est suspendu pendant le délai imparti pour produire les pièces (L114-5).",
      );
      return;
    }
    this.phase = "running";
    this.anchor = this.armOn;
    const from = this.isSVA
      ? "depuis la réception par l'administration compétente (L114-3)"
      : "depuis la réception par la première administration saisie (L114-3)";
    this.steps.push(
      `Délai de ${this.periodLabel} (silence vaut ${this.isSVA ? "acceptation" : "rejet"}, ${this.article}) ${from}, ${runsFrom(this.armOn)}.`,
    );
  }

  /** SVR: the suspension ends when the time given for the pieces runs out (L114-5 al. 4). */
  lapseBefore(date: string): void {
    const lapse = this.lapseOn;
    if (lapse === null || lapse >= date || !this.stopped()) return;
    if (this.phase === "blocked") {
      this.anchor = lapse;
      this.extraDays = 0;
    } else {
      this.extraDays += daysBetween(this.pausedSince ?? lapse, lapse);
    }
    this.phase = "running";
    this.pausedSince = null;
    this.lapseOn = null;
    this.steps.push(
      `Délai imparti pour produire les pièces expiré le ${fr(lapse)} : fin de la suspension, le délai court de nouveau ${runsFrom(lapse)} (L114-5).`,
    );
  }

  /** True when the event came after the implicit decision was born (and is then only noted). */
  bornBefore(e: ClockEvent, date: string): boolean {
    if (this.phase === "running" && date > this.shifted(this.rawDue())) {
      this.phase = "born";
      this.bornOn = this.dueSteps(this.rawDue(), null);
    }
    if (this.phase !== "born") return false;
    this.steps.push(
      `Événement du ${fr(e.date)} sans effet sur le délai : la décision implicite est née à la fin du ${fr(this.bornOn ?? date)}.`,
    );
    return true;
  }

  competent(e: ClockEvent): void {
    if (!this.isSVA) {
      this.steps.push(
        `Transmise à l'administration compétente le ${fr(e.date)} (L114-2) : sans effet sur le délai de rejet, qui court depuis la première réception (L114-3).`,
      );
    } else if (e.date === this.armOn && !this.competentNoted) {
      this.competentNoted = true;
      this.steps.push(`Reçue par l'administration compétente le ${fr(e.date)} (L114-2).`);
    } else {
      this.steps.push(
        `Transmission du ${fr(e.date)} : seule compte la réception par l'administration compétente (L114-3).`,
      );
    }
  }

  incomplete(e: ClockEvent & { kind: "incomplete" }, date: string): void {
    const limit = e.piecesDueOn === undefined ? null : maxDate(e.piecesDueOn, date);
    const limitText = limit === null ? "" : `, à produire au plus tard le ${fr(limit)}`;
    if (!this.isSVA && limit !== null) this.lapseOn = limit;
    if (this.phase === "before") {
      if (!this.missing) this.pausedSince = date;
      this.steps.push(`Pièces manquantes demandées le ${fr(e.date)}${limitText} (L114-5).`);
    } else if (this.phase === "running") {
      this.phase = "suspended";
      this.pausedSince = date;
      this.steps.push(
        this.isSVA
          ? `Pièces manquantes demandées le ${fr(e.date)}${limitText} : le délai d'acceptation ne court qu'à compter de la réception du dossier complet (L114-5).`
          : `Délai suspendu le ${fr(e.date)} : pièces manquantes${limitText} (L114-5).`,
      );
    } else {
      this.steps.push(
        `Nouvelle demande de pièces le ${fr(e.date)}${limitText} : délai déjà suspendu depuis le ${fr(this.pausedSince ?? date)}.`,
      );
    }
    if (!this.isSVA && limit === null) {
      this.steps.push(
        "Aucun délai imparti pour produire les pièces : la suspension dure jusqu'à leur réception (le délai imparti est obligatoire, L114-5).",
      );
    }
    this.missing = true;
  }

  complete(e: ClockEvent, date: string): void {
    const on = `Pièces reçues le ${fr(e.date)}`;
    if (this.phase === "before") {
      this.steps.push(
        this.missing ? `${on} : dossier complet.` : `${on} : sans effet, aucune pièce n'était attendue.`,
      );
    } else if (this.phase === "blocked" || (this.phase === "suspended" && this.isSVA)) {
      // SVA (al. 3): the full period from the complete file; SVR never ran: the same.
      this.anchor = date;
      this.extraDays = 0;
      this.steps.push(
        `${on} : dossier complet, le délai de ${this.periodLabel} court en entier ${runsFrom(date)} (L114-5).`,
      );
    } else if (this.phase === "suspended") {
      const paused = daysBetween(this.pausedSince ?? date, date);
      this.extraDays += paused;
      this.steps.push(
        `${on} : fin de la suspension, le délai reprend ${runsFrom(date)}, prolongé de ${plural(paused, "jour")} de suspension (L114-5).`,
      );
    } else if (this.missing) {
      this.steps.push(`${on}, après la fin de la suspension : sans effet sur le délai (L114-5).`);
    } else {
      this.steps.push(`${on} : sans effet, le délai n'était pas suspendu.`);
    }
    if (this.phase !== "before") this.phase = "running";
    this.missing = false;
    this.pausedSince = null;
    this.lapseOn = null;
  }

  replay(events: readonly ClockEvent[]): void {
    for (const e of events) {
      // Events dated before the start (clock skew between workstations) count as on the start day.
      const date = maxDate(e.date, this.start);
      if (this.phase === "before" && date > this.armOn) this.arm();
      this.lapseBefore(date);
      if (this.bornBefore(e, date)) continue;
      if (e.kind === "competent") this.competent(e);
      else if (e.kind === "incomplete") this.incomplete(e, date);
      else this.complete(e, date);
    }
    this.arm();
  }

  result(): Deadline {
    const stopped = this.stopped();
    const pendingLapse = stopped ? this.lapseOn : null;
    let dueOn: string | null = this.bornOn;
    if (this.phase === "running") {
      dueOn = this.dueSteps(this.rawDue(), null);
    } else if (pendingLapse !== null) {
      // Provisional: as if the suspension ends with the time given for the pieces.
      const raw =
        this.phase === "blocked"
          ? this.periodEnd(pendingLapse)
          : addDays(this.rawDue(), daysBetween(this.pausedSince ?? pendingLapse, pendingLapse));
      dueOn = this.dueSteps(raw, pendingLapse);
    } else if (stopped) {
      this.steps.push("Pas d'échéance tant que les pièces manquantes ne sont pas reçues (L114-5).");
    }
    const anchor = this.phase === "blocked" || (stopped && this.isSVA) ? null : this.anchor;
    return {
      outcome: this.isSVA ? "acceptance" : "rejection",
      dueOn,
      running: !stopped,
      startedOn: anchor === null ? null : addDays(anchor, 1),
      pausedSince: stopped ? this.pausedSince : null,
      pausedUntil: pendingLapse,
      steps: this.steps,
    };
  }
}

const runsFrom = (date: string): string => `à compter du ${fr(addDays(date, 1))}`;

export function computeDeadline(input: DeadlineInput): Deadline {
  validate(input);
  const { rule } = input;
  if (rule.kind === "none") return NO_DECISION(input);
  const start = input.receivedOn;
  const events = sortEvents(input.clock);
  // SVA runs only from receipt by the competent administration (L114-3); after
  // several forwards, only the last receipt was by the competent one.
  let armOn = start;
  if (rule.kind === "SVA") for (const e of events) if (e.kind === "competent") armOn = maxDate(armOn, e.date);
  const clock = new Clock({ ...rule, kind: rule.kind }, input.policy, start, armOn, receiptStep(input));
  clock.replay(events);
  return clock.result();
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
