import { CHANNELS, WORKSTATION_CHANNELS } from "./channels";
import { parisDate } from "./history";
import { type GuichetRequest, NO_DUE_DATE } from "./request";

/**
 * The supervisors' dashboard figures (DOMAIN.md, "Statistics the mairie wants"): volumes by
 * channel, démarche and service; response delays; requests close to or past their
 * implicit-decision date; the backlog by service and agent; online vs counter over time; the
 * immediate answers given at the counter.
 *
 * Built for 100,000 requests on a counter workstation: one pass, ISO days compared as strings,
 * day arithmetic cached per distinct day, and the per-request work (reading the history) done once
 * by `statsRow`, so a cache of rows can be recomputed for another period in a few milliseconds.
 */

/** What the statistics read of a request: its door, démarche, legal receipt day, projection and history. */
export type StatsInput = Pick<
  GuichetRequest,
  | "receivedOn"
  | "channel"
  | "demarche"
  | "service"
  | "assignee"
  | "open"
  | "dueOn"
  | "outcome"
  | "implicitDecision"
  | "events"
>;

/** One request reduced to what the statistics use (what a cache keeps per request). */
export type StatsRow = {
  /** Legal receipt day (Paris): the day the AR states and the deadline counts from. */
  receivedOn: string;
  channel: string;
  demarche: string;
  service: string;
  /** "" when nobody is assigned. */
  assignee: string;
  open: boolean;
  /** Implicit-decision day; NO_DUE_DATE when the request has none (rule "none", clock stopped, forwarded). */
  dueOn: string;
  /** Whether an implicit-decision date applies (SVA/SVR with a running clock). */
  hasDeadline: boolean;
  /** Whether the implicit decision has already been recorded (deadline job). */
  implicitDecided: boolean;
  /** Paris day of the first "answered" status event; "" if never answered. */
  answeredOn: string;
};

/** A contact answered on the spot (réponse immédiate): no request, only counted. */
export type ContactLogInput = { at: string; channel: string; reason: string; by: string };

export type StatsOptions = {
  /** Period, Paris days (AAAA-MM-JJ), both included. */
  from: string;
  to: string;
  /** Paris day the "at risk" and "past" figures are taken on. */
  today: string;
  /** "At risk": open, implicit decision within this many days from today (today included). */
  riskDays: number;
};

export type Tally = { key: string; count: number };

export type TrendUnit = "week" | "month";
export type TrendBucket = {
  /** "2026-W45" (ISO week) or "2026-11". */
  key: string;
  /** First and last day of the week or month (may reach outside the period). */
  start: string;
  end: string;
  /** Received through the citizens' portal. */
  online: number;
  /** Recorded by agents (guichet, téléphone, courrier, courriel, autre). */
  counter: number;
};

export type Statistics = {
  from: string;
  to: string;
  today: string;
  riskDays: number;
  /** Requests received in the period. */
  received: number;
  /** Channels in the order of CHANNELS, zeros included; the others by count, most first. */
  byChannel: Tally[];
  byDemarche: Tally[];
  byService: Tally[];
  /** Requests whose first answer was sent in the period. */
  delays: {
    answered: number;
    /** Days from receipt to the answer; null with no answer in the period. */
    medianDays: number | null;
    p90Days: number | null;
    /** Of those, the ones with an implicit-decision date, and how many were answered on or before it. */
    withDeadline: number;
    onTime: number;
    /** onTime / withDeadline, between 0 and 1; null when no answered request had a deadline. */
    onTimeShare: number | null;
  };
  /** Snapshot on `today`, whatever the period: open requests with an implicit-decision date. */
  deadlines: { atRisk: number; past: number; atRiskByService: Tally[]; pastByService: Tally[] };
  /** Snapshot: open requests; agent "" = not assigned to anyone. */
  backlog: { open: number; byService: Tally[]; byAgent: Tally[] };
  trend: { unit: TrendUnit; buckets: TrendBucket[] };
  quickAnswers: { total: number; byChannel: Tally[]; byReason: Tally[] };
};

/** Periods up to this many days are shown per ISO week, longer ones per month. */
export const WEEKLY_UP_TO_DAYS = 92;

/**
 * The Paris day of an instant. Stored instants are UTC ("…Z"), and Paris is UTC+1 or UTC+2, so
 * before 22:00 UTC the day is the UTC one: no time-zone conversion for nearly every event.
 */
export function parisDay(instant: string): string {
  if (instant.length >= 20 && instant.charCodeAt(10) === 84 /* T */ && instant.endsWith("Z")) {
    const hour = (instant.charCodeAt(11) - 48) * 10 + (instant.charCodeAt(12) - 48);
    if (hour >= 0 && hour < 22) return instant.slice(0, 10);
  }
  return parisDate(instant);
}

/** One request's figures; reads its history once (events are kept in time order: history.ts). */
export function statsRow(r: StatsInput): StatsRow {
  let answeredAt = "";
  for (const e of r.events) {
    if (e.kind === "status" && e.to === "answered") {
      answeredAt = e.at;
      break;
    }
  }
  return {
    receivedOn: r.receivedOn,
    channel: r.channel,
    demarche: r.demarche,
    service: r.service,
    assignee: r.assignee,
    open: r.open,
    dueOn: r.dueOn,
    hasDeadline: r.outcome !== "none" && r.dueOn !== NO_DUE_DATE,
    implicitDecided: r.implicitDecision !== "none",
    answeredOn: answeredAt ? parisDay(answeredAt) : "",
  };
}

/** Convenience for a plain array of requests (tests, exports): rows, then `computeStatistics`. */
export function statisticsOf(
  requests: readonly StatsInput[],
  logs: readonly ContactLogInput[],
  opts: StatsOptions,
): Statistics {
  return computeStatistics(requests.map(statsRow), logs, opts);
}

const MS_PER_DAY = 86_400_000;

/** Days since 1970-01-01 of an ISO day; from its digits, no Date parsing. */
function dayNumber(iso: string): number {
  const y = Number(iso.slice(0, 4));
  const m = Number(iso.slice(5, 7));
  const d = Number(iso.slice(8, 10));
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

const fromDayNumber = (n: number): string => new Date(n * MS_PER_DAY).toISOString().slice(0, 10);

/** Adds one to a count in a Map (a Map, not an object: keys are data, "__proto__" included). */
function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

/** Most first, then by key: the same order on every workstation. */
function sortedTallies(counts: Map<string, number>): Tally[] {
  return [...counts]
    .map(([key, count]) => ({ key, count }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Known channels first, in their usual order and with zeros; unknown ones after, by key. */
function channelTallies(counts: Map<string, number>, known: readonly string[]): Tally[] {
  const out = known.map((key) => ({ key, count: counts.get(key) ?? 0 }));
  const extra = [...counts.keys()].filter((k) => !known.includes(k)).sort();
  for (const key of extra) out.push({ key, count: counts.get(key) ?? 0 });
  return out;
}

/** Median (mean of the two middle values for an even count) and 90th percentile (nearest rank). */
function delayFigures(
  histogram: Map<number, number>,
  n: number,
): { median: number | null; p90: number | null } {
  if (n === 0) return { median: null, p90: null };
  const days = [...histogram.keys()].sort((a, b) => a - b);
  // The value at a 0-based rank of the sorted delays, read from the histogram.
  const at = (rank: number): number => {
    let seen = 0;
    for (const d of days) {
      seen += histogram.get(d) ?? 0;
      if (rank < seen) return d;
    }
    return days[days.length - 1]!;
  };
  const median = n % 2 === 1 ? at((n - 1) / 2) : (at(n / 2 - 1) + at(n / 2)) / 2;
  return { median, p90: at(Math.ceil(0.9 * n) - 1) };
}

/** Week when the period is short enough for weeks to read well, else month. */
export function trendUnit(from: string, to: string): TrendUnit {
  return dayNumber(to) - dayNumber(from) + 1 <= WEEKLY_UP_TO_DAYS ? "week" : "month";
}

/** Monday of the ISO week of a day number (1970-01-01 was a Thursday). */
const mondayOf = (n: number): number => n - ((n + 3) % 7);

function isoWeekKey(monday: number): string {
  const thursday = monday + 3;
  const year = new Date(thursday * MS_PER_DAY).getUTCFullYear();
  const week = Math.floor((thursday - Date.UTC(year, 0, 1) / MS_PER_DAY) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

const monthIndex = (iso: string): number => Number(iso.slice(0, 4)) * 12 + Number(iso.slice(5, 7)) - 1;

/** Every week or month that meets the period, in order, with zero counts. */
function emptyBuckets(unit: TrendUnit, from: string, to: string): TrendBucket[] {
  const out: TrendBucket[] = [];
  if (unit === "week") {
    const last = dayNumber(to);
    for (let m = mondayOf(dayNumber(from)); m <= last; m += 7)
      out.push({
        key: isoWeekKey(m),
        start: fromDayNumber(m),
        end: fromDayNumber(m + 6),
        online: 0,
        counter: 0,
      });
    return out;
  }
  for (let i = monthIndex(from); i <= monthIndex(to); i++) {
    const y = Math.floor(i / 12);
    const m = i - y * 12;
    const start = Date.UTC(y, m, 1) / MS_PER_DAY;
    const end = Date.UTC(y, m + 1, 0) / MS_PER_DAY;
    out.push({
      key: fromDayNumber(start).slice(0, 7),
      start: fromDayNumber(start),
      end: fromDayNumber(end),
      online: 0,
      counter: 0,
    });
  }
  return out;
}

/** All the dashboard's figures, in one pass over the rows and one over the contact log. */
export function computeStatistics(
  rows: readonly StatsRow[],
  logs: readonly ContactLogInput[],
  opts: StatsOptions,
): Statistics {
  const { from, to, today, riskDays } = opts;
  const riskEnd = fromDayNumber(dayNumber(today) + riskDays);
  const unit = trendUnit(from, to);
  const buckets = emptyBuckets(unit, from, to);
  const firstMonday = mondayOf(dayNumber(from));
  const firstMonth = monthIndex(from);
  // Few distinct days among many requests: day arithmetic once per day.
  const dayCache = new Map<string, number>();
  const day = (iso: string): number => {
    let n = dayCache.get(iso);
    if (n === undefined) {
      n = dayNumber(iso);
      dayCache.set(iso, n);
    }
    return n;
  };

  const byChannel = new Map<string, number>();
  const byDemarche = new Map<string, number>();
  const byService = new Map<string, number>();
  const openByService = new Map<string, number>();
  const openByAgent = new Map<string, number>();
  const atRiskByService = new Map<string, number>();
  const pastByService = new Map<string, number>();
  const delayHistogram = new Map<number, number>();
  let received = 0;
  let answered = 0;
  let withDeadline = 0;
  let onTime = 0;
  let open = 0;
  let atRisk = 0;
  let past = 0;

  for (const r of rows) {
    if (r.receivedOn >= from && r.receivedOn <= to) {
      received++;
      bump(byChannel, r.channel);
      bump(byDemarche, r.demarche);
      bump(byService, r.service);
      const index =
        unit === "week"
          ? Math.floor((day(r.receivedOn) - firstMonday) / 7)
          : monthIndex(r.receivedOn) - firstMonth;
      const bucket = buckets[index]!;
      if (r.channel === "en_ligne") bucket.online++;
      else bucket.counter++;
    }
    if (r.answeredOn && r.answeredOn >= from && r.answeredOn <= to) {
      answered++;
      const delay = day(r.answeredOn) - day(r.receivedOn);
      delayHistogram.set(delay, (delayHistogram.get(delay) ?? 0) + 1);
      if (r.hasDeadline) {
        withDeadline++;
        if (r.answeredOn <= r.dueOn) onTime++;
      }
    }
    if (r.open) {
      open++;
      bump(openByService, r.service);
      bump(openByAgent, r.assignee);
      if (r.implicitDecided || (r.hasDeadline && r.dueOn < today)) {
        past++;
        bump(pastByService, r.service);
      } else if (r.hasDeadline && r.dueOn <= riskEnd) {
        atRisk++;
        bump(atRiskByService, r.service);
      }
    }
  }

  const quickByChannel = new Map<string, number>();
  const quickByReason = new Map<string, number>();
  let quickTotal = 0;
  for (const log of logs) {
    const d = parisDay(log.at);
    if (d < from || d > to) continue;
    quickTotal++;
    bump(quickByChannel, log.channel);
    bump(quickByReason, log.reason);
  }

  const { median, p90 } = delayFigures(delayHistogram, answered);
  return {
    from,
    to,
    today,
    riskDays,
    received,
    byChannel: channelTallies(byChannel, CHANNELS),
    byDemarche: sortedTallies(byDemarche),
    byService: sortedTallies(byService),
    delays: {
      answered,
      medianDays: median,
      p90Days: p90,
      withDeadline,
      onTime,
      onTimeShare: withDeadline === 0 ? null : onTime / withDeadline,
    },
    deadlines: {
      atRisk,
      past,
      atRiskByService: sortedTallies(atRiskByService),
      pastByService: sortedTallies(pastByService),
    },
    backlog: { open, byService: sortedTallies(openByService), byAgent: sortedTallies(openByAgent) },
    trend: { unit, buckets },
    quickAnswers: {
      total: quickTotal,
      byChannel: channelTallies(quickByChannel, WORKSTATION_CHANNELS),
      byReason: sortedTallies(quickByReason),
    },
  };
}
