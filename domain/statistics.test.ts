import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addDays, daysBetween } from "./calendar";
import { CHANNELS, WORKSTATION_CHANNELS } from "./channels";
import { parisDate, withEvents } from "./history";
import { type GuichetRequest, NO_DUE_DATE, type RequestEvent } from "./request";
import {
  type ContactLogInput,
  computeStatistics,
  parisDay,
  type StatsInput,
  type StatsOptions,
  statisticsOf,
  statsRow,
  trendUnit,
} from "./statistics";
import { buildRequest, ev } from "./test-fixtures";

// Restauration scolaire: SVR, two months; received 12 March 2026 (09:30 Paris) → due 12 May 2026.
const svr = (over: { channel?: GuichetRequest["channel"]; now?: string } = {}) =>
  buildRequest("aide_restauration_scolaire", {
    content: over.channel ? { channel: over.channel } : {},
    ctx: over.now ? { now: over.now } : {},
  });
// Demande générale: rule "none", no implicit-decision date.
const general = () => buildRequest("demande_generale");
const add = (r: GuichetRequest, ...events: RequestEvent[]) => withEvents(r, events);
const answer = (r: GuichetRequest, at: string) =>
  add(r, ev.status(at, r.status, "answered", {}, { answer: "Réponse" }));

const MARCH: StatsOptions = { from: "2026-03-01", to: "2026-03-31", today: "2026-03-31", riskDays: 15 };
const stats = (reqs: StatsInput[], opts: Partial<StatsOptions> = {}, logs: ContactLogInput[] = []) =>
  statisticsOf(reqs, logs, { ...MARCH, ...opts });

describe("parisDay", () => {
  it("keeps the UTC day before 22:00 UTC and converts the late evening to Paris time", () => {
    expect(parisDay("2026-03-12T08:30:00.000Z")).toBe("2026-03-12");
    expect(parisDay("2026-01-31T22:30:00.000Z")).toBe("2026-01-31"); // 23:30 in winter
    expect(parisDay("2026-07-31T22:30:00.000Z")).toBe("2026-08-01"); // 00:30 in summer
    expect(parisDay("2026-07-31T23:59:59Z")).toBe("2026-08-01");
    expect(parisDay("2026-07-31T23:30:00+02:00")).toBe("2026-07-31");
    expect(parisDay("2026-07-31T01:30:00-05:00")).toBe("2026-07-31");
  });

  it("agrees with the time-zone conversion on any instant and offset", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }),
        fc.constantFrom("Z", "+01:00", "+02:00", "-04:00"),
        (t, zone) => {
          const text = instant(t, zone);
          expect(parisDay(text)).toBe(parisDate(text));
        },
      ),
    );
  });
});

describe("statsRow", () => {
  it("takes the first answer of a request answered, reopened and answered again", () => {
    let r = answer(svr(), "2026-03-20T10:00:00Z");
    r = add(r, ev.status("2026-03-21T10:00:00Z", "answered", "in_progress"));
    r = answer(r, "2026-03-25T10:00:00Z");
    expect(statsRow(r).answeredOn).toBe("2026-03-20");
  });

  it("has no deadline for a démarche without implicit decision, nor once forwarded", () => {
    expect(statsRow(svr()).hasDeadline).toBe(true);
    expect(statsRow(general()).hasDeadline).toBe(false);
    const forwarded = add(svr(), ev.status("2026-03-13T09:00:00Z", "received", "forwarded"));
    expect(statsRow(forwarded).hasDeadline).toBe(false);
  });
});

describe("computeStatistics", () => {
  it("counts requests received in the period by channel, démarche and service", () => {
    const reqs = [
      svr(),
      svr({ channel: "en_ligne" }),
      general(),
      svr({ now: "2026-04-01T08:00:00Z" }), // after the period
      svr({ now: "2026-02-28T22:30:00Z" }), // 23:30 in Paris on 28 February: before it
    ];
    const s = stats(reqs);
    expect(s.received).toBe(3);
    expect(s.byChannel).toEqual(
      CHANNELS.map((key) => ({ key, count: key === "guichet" ? 2 : key === "en_ligne" ? 1 : 0 })),
    );
    expect(s.byDemarche).toEqual([
      { key: "aide_restauration_scolaire", count: 2 },
      { key: "demande_generale", count: 1 },
    ]);
    expect(s.byService).toEqual([
      { key: "scolaire", count: 2 },
      { key: "accueil", count: 1 },
    ]);
  });

  it("measures delays from receipt to the first answer sent in the period, in days", () => {
    const reqs = [
      answer(svr(), "2026-03-12T15:00:00Z"), // same day: 0
      answer(svr(), "2026-03-13T09:00:00Z"), // 1
      answer(svr(), "2026-03-14T09:00:00Z"), // 2
      answer(svr(), "2026-03-22T09:00:00Z"), // 10
      answer(svr(), "2026-04-02T09:00:00Z"), // answered after the period: left out
      svr(), // not answered
    ];
    const s = stats(reqs);
    expect(s.delays).toMatchObject({ answered: 4, medianDays: 1.5, p90Days: 10 });
    expect(stats(reqs.slice(0, 3)).delays).toMatchObject({ answered: 3, medianDays: 1, p90Days: 2 });
    expect(stats([], {}).delays).toMatchObject({
      answered: 0,
      medianDays: null,
      p90Days: null,
      onTimeShare: null,
    });
  });

  it("counts an answer on the implicit-decision day as on time, and the day after as late", () => {
    const onTheDay = answer(svr(), "2026-05-12T20:00:00Z"); // 22:00 in Paris on 12 May
    const dayAfter = answer(svr(), "2026-05-12T22:30:00Z"); // 00:30 in Paris on 13 May
    const noDeadline = answer(general(), "2026-05-20T09:00:00Z");
    const s = stats([onTheDay, dayAfter, noDeadline], { from: "2026-05-01", to: "2026-05-31" });
    expect(s.delays).toMatchObject({ answered: 3, withDeadline: 2, onTime: 1, onTimeShare: 0.5 });
  });

  it("finds open requests close to their implicit decision, and those already past it", () => {
    const soon = svr(); // due 12 May
    const answered = answer(svr(), "2026-03-20T10:00:00Z");
    const decided = add(svr(), ev.implicitDecision("2026-05-13T03:00:00Z", "rejection", "2026-05-12"));
    const noDate = general();
    const opts = { riskDays: 15 };
    expect(
      stats([soon, answered, decided, noDate], { ...opts, today: "2026-04-26" }).deadlines,
    ).toMatchObject({
      atRisk: 0,
      past: 1,
    });
    expect(stats([soon, answered, noDate], { ...opts, today: "2026-04-27" }).deadlines).toMatchObject({
      atRisk: 1,
      past: 0,
      atRiskByService: [{ key: "scolaire", count: 1 }],
    });
    expect(stats([soon], { ...opts, today: "2026-05-12" }).deadlines).toMatchObject({ atRisk: 1, past: 0 });
    expect(stats([soon], { ...opts, today: "2026-05-13" }).deadlines).toMatchObject({
      atRisk: 0,
      past: 1,
      pastByService: [{ key: "scolaire", count: 1 }],
    });
  });

  it("groups the open requests by service and by agent, unassigned ones under an empty name", () => {
    const a = add(svr(), ev.assigned("2026-03-13T09:00:00Z", "scolaire", "sa.bernard"));
    const b = add(general(), ev.assigned("2026-03-13T09:00:00Z", "scolaire", "sa.bernard"));
    const c = general();
    const closed = add(
      answer(svr(), "2026-03-14T09:00:00Z"),
      ev.status("2026-03-15T09:00:00Z", "answered", "closed"),
    );
    const s = stats([a, b, c, closed]);
    expect(s.backlog).toEqual({
      open: 3,
      byService: [
        { key: "scolaire", count: 2 },
        { key: "accueil", count: 1 },
      ],
      byAgent: [
        { key: "sa.bernard", count: 2 },
        { key: "", count: 1 },
      ],
    });
  });

  it("shows online against counter requests per ISO week for a short period, per month for a long one", () => {
    const reqs = [svr(), svr({ channel: "en_ligne" }), svr({ now: "2026-03-30T08:00:00Z" })];
    const weekly = stats(reqs).trend;
    expect(weekly.unit).toBe("week");
    expect(weekly.buckets.map((b) => b.key)).toEqual([
      "2026-W09",
      "2026-W10",
      "2026-W11",
      "2026-W12",
      "2026-W13",
      "2026-W14",
    ]);
    expect(weekly.buckets[0]).toMatchObject({ start: "2026-02-23", end: "2026-03-01" });
    expect(weekly.buckets[2]).toMatchObject({ key: "2026-W11", online: 1, counter: 1 });
    expect(weekly.buckets[5]).toMatchObject({ key: "2026-W14", online: 0, counter: 1 });
    const yearly = stats(reqs, { from: "2026-01-01", to: "2026-12-31" }).trend;
    expect(yearly.unit).toBe("month");
    expect(yearly.buckets).toHaveLength(12);
    expect(yearly.buckets[2]).toEqual({
      key: "2026-03",
      start: "2026-03-01",
      end: "2026-03-31",
      online: 1,
      counter: 2,
    });
    expect(yearly.buckets[1]).toMatchObject({ start: "2026-02-01", end: "2026-02-28" });
  });

  it("numbers the weeks around a new year as ISO 8601 does (2026 has 53 weeks)", () => {
    const s = stats([], { from: "2026-12-20", to: "2027-01-10" });
    expect(s.trend.buckets.map((b) => b.key)).toEqual(["2026-W51", "2026-W52", "2026-W53", "2027-W01"]);
    expect(trendUnit("2026-01-01", "2026-04-02")).toBe("week"); // 92 days
    expect(trendUnit("2026-01-01", "2026-04-03")).toBe("month");
  });

  it("counts the immediate answers of the period by channel and reason, on Paris days", () => {
    const logs: ContactLogInput[] = [
      { at: "2026-03-02T09:00:00Z", channel: "guichet", reason: "horaires", by: "a" },
      { at: "2026-03-02T10:00:00Z", channel: "telephone", reason: "horaires", by: "b" },
      { at: "2026-03-31T21:30:00Z", channel: "guichet", reason: "pieces", by: "a" }, // 23:30 on 31 March
      { at: "2026-03-31T22:30:00Z", channel: "guichet", reason: "pieces", by: "a" }, // 00:30 on 1 April
      { at: "2026-02-28T23:30:00Z", channel: "guichet", reason: "pieces", by: "a" }, // 00:30 on 1 March
    ];
    const s = stats([], {}, logs);
    expect(s.quickAnswers.total).toBe(4);
    expect(s.quickAnswers.byChannel).toEqual(
      WORKSTATION_CHANNELS.map((key) => ({
        key,
        count: key === "guichet" ? 3 : key === "telephone" ? 1 : 0,
      })),
    );
    // Equal counts: by key.
    expect(s.quickAnswers.byReason).toEqual([
      { key: "horaires", count: 2 },
      { key: "pieces", count: 2 },
    ]);
  });

  it("treats keys as data, even ones named like object properties", () => {
    const r = { ...statsRow(svr()), demarche: "__proto__", channel: "constructor" };
    const s = computeStatistics([r], [], MARCH);
    expect(s.byDemarche).toEqual([{ key: "__proto__", count: 1 }]);
    expect(s.byChannel.at(-1)).toEqual({ key: "constructor", count: 1 });
  });

  it("agrees with a naive computation on random requests, contacts and periods", () => {
    fc.assert(
      fc.property(
        fc.array(requestArb, { maxLength: 60 }),
        fc.array(logArb, { maxLength: 20 }),
        periodArb,
        (reqs, logs, opts) => {
          expect(statisticsOf(reqs, logs, opts)).toEqual(naiveStatistics(reqs, logs, opts));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- Random data and the naive reference (Date objects and sorting, no shortcuts) ----

const DAY = 86_400_000;
// Four months across a new year (2026 has an ISO week 53): edges come up often.
const T0 = Date.UTC(2026, 10, 1);
const T1 = Date.UTC(2027, 2, 1);
const isoDay = (t: number) => new Date(t).toISOString().slice(0, 10);

/** An instant written in the given zone ("Z" or "+hh:mm"), as other servers may store it. */
function instant(t: number, zone: string): string {
  if (zone === "Z") return new Date(t).toISOString();
  const sign = zone[0] === "-" ? -1 : 1;
  const minutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return `${new Date(t + minutes * 60_000).toISOString().slice(0, 19)}${zone}`;
}

const dayArb = fc.integer({ min: T0, max: T1 }).map(isoDay);
const instantArb = fc
  .tuple(
    fc.integer({ min: T0, max: T1 }),
    fc.constantFrom("Z", "Z", "Z", "+01:00", "+02:00"),
    // Late evenings UTC, where the Paris day differs, often.
    fc.boolean(),
  )
  .map(([t, zone, late]) => instant(late ? t - (t % DAY) + 22 * 3_600_000 + (t % 7_200_000) : t, zone));

const ev0 = { id: "x", by: "a", workstation: "K7M" };
const requestArb: fc.Arbitrary<StatsInput> = fc
  .record({
    receivedOn: dayArb,
    channel: fc.constantFrom(...CHANNELS),
    demarche: fc.constantFrom("acte_naissance", "demande_generale", "ccas_aide"),
    service: fc.constantFrom("accueil", "scolaire", "etat_civil"),
    assignee: fc.constantFrom("", "sa.bernard", "sa.roux"),
    open: fc.boolean(),
    dueOn: fc.oneof(dayArb, fc.constant(NO_DUE_DATE)),
    // Often due on the day of the answer or near today, where the comparisons turn.
    dueOnAnswer: fc.boolean(),
    outcome: fc.constantFrom("acceptance", "rejection", "none"),
    implicitDecision: fc.constantFrom("none", "none", "acceptance", "rejection"),
    answers: fc.array(instantArb, { maxLength: 3 }),
    notes: fc.array(instantArb, { maxLength: 2 }),
  })
  .map(({ answers, notes, dueOnAnswer, ...r }) => {
    const first = [...answers].sort((a, b) => Date.parse(a) - Date.parse(b))[0];
    if (dueOnAnswer && first) r.dueOn = parisDate(first);
    const events: RequestEvent[] = [
      ...notes.map((at) => ({ ...ev0, at, kind: "note" as const, text: "n" })),
      ...answers.map((at) => ({
        ...ev0,
        at,
        kind: "status" as const,
        from: "in_progress" as const,
        to: "answered" as const,
      })),
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return { ...r, events } as StatsInput;
  });

const logArb: fc.Arbitrary<ContactLogInput> = fc.record({
  at: instantArb,
  channel: fc.constantFrom(...WORKSTATION_CHANNELS),
  reason: fc.constantFrom("horaires", "pieces", "autre"),
  by: fc.constantFrom("a", "b"),
});

const periodArb: fc.Arbitrary<StatsOptions> = fc
  .record({
    from: fc.integer({ min: T0, max: T1 }),
    days: fc.oneof(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 80, max: 400 })),
    today: dayArb,
    riskDays: fc.integer({ min: 0, max: 60 }),
  })
  .map(({ from, days, today, riskDays }) => ({
    from: isoDay(from),
    to: isoDay(from + (days - 1) * DAY),
    today,
    riskDays,
  }));

function isoWeek(day: string): { key: string; monday: string } {
  const d = new Date(`${day}T00:00:00Z`);
  const weekday = d.getUTCDay() || 7;
  const monday = new Date(d.getTime() - (weekday - 1) * DAY);
  const thursday = new Date(d.getTime() + (4 - weekday) * DAY);
  const yearStart = Date.UTC(thursday.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((thursday.getTime() - yearStart) / DAY + 1) / 7);
  return {
    key: `${thursday.getUTCFullYear()}-W${String(week).padStart(2, "0")}`,
    monday: isoDay(monday.getTime()),
  };
}

function tallies(keys: string[]): { key: string; count: number }[] {
  const uniq = [...new Set(keys)];
  return uniq
    .map((key) => ({ key, count: keys.filter((k) => k === key).length }))
    .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1));
}

function inOrder(known: readonly string[], keys: string[]) {
  const extra = [...new Set(keys.filter((k) => !known.includes(k)))].sort();
  return [...known, ...extra].map((key) => ({ key, count: keys.filter((k) => k === key).length }));
}

function naiveStatistics(reqs: StatsInput[], logs: ContactLogInput[], o: StatsOptions) {
  const within = (day: string) =>
    Date.parse(day) >= Date.parse(o.from) && Date.parse(day) <= Date.parse(o.to);
  const received = reqs.filter((r) => within(r.receivedOn));
  const firstAnswer = (r: StatsInput) => {
    const answers = r.events.filter((e) => e.kind === "status" && e.to === "answered");
    answers.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    return answers[0] ? parisDate(answers[0].at) : undefined;
  };
  const answered = reqs.flatMap((r) => {
    const day = firstAnswer(r);
    return day && within(day) ? [{ r, day }] : [];
  });
  const delays = answered.map(({ r, day }) => daysBetween(r.receivedOn, day)).sort((a, b) => a - b);
  const n = delays.length;
  const hasDeadline = (r: StatsInput) => r.outcome !== "none" && r.dueOn !== NO_DUE_DATE;
  const dated = answered.filter(({ r }) => hasDeadline(r));
  const onTime = dated.filter(({ r, day }) => daysBetween(day, r.dueOn) >= 0).length;
  const open = reqs.filter((r) => r.open);
  const isPast = (r: StatsInput) =>
    r.implicitDecision !== "none" || (hasDeadline(r) && daysBetween(o.today, r.dueOn) < 0);
  const past = open.filter(isPast);
  const atRisk = open.filter(
    (r) => !isPast(r) && hasDeadline(r) && daysBetween(o.today, r.dueOn) <= o.riskDays,
  );
  const weekly = daysBetween(o.from, o.to) + 1 <= 92;
  const bucketOf = (day: string) => (weekly ? isoWeek(day).key : day.slice(0, 7));
  const bucketKeys: string[] = [];
  for (let d = o.from; d <= o.to; d = addDays(d, 1)) {
    const k = bucketOf(d);
    if (!bucketKeys.includes(k)) bucketKeys.push(k);
  }
  const logDays = logs.filter((l) => within(parisDate(l.at)));
  return {
    ...o,
    received: received.length,
    byChannel: inOrder(
      CHANNELS,
      received.map((r) => r.channel),
    ),
    byDemarche: tallies(received.map((r) => r.demarche)),
    byService: tallies(received.map((r) => r.service)),
    delays: {
      answered: n,
      medianDays: n === 0 ? null : n % 2 ? delays[(n - 1) / 2] : (delays[n / 2 - 1]! + delays[n / 2]!) / 2,
      p90Days: n === 0 ? null : delays[Math.ceil(n * 0.9) - 1],
      withDeadline: dated.length,
      onTime,
      onTimeShare: dated.length === 0 ? null : onTime / dated.length,
    },
    deadlines: {
      atRisk: atRisk.length,
      past: past.length,
      atRiskByService: tallies(atRisk.map((r) => r.service)),
      pastByService: tallies(past.map((r) => r.service)),
    },
    backlog: {
      open: open.length,
      byService: tallies(open.map((r) => r.service)),
      byAgent: tallies(open.map((r) => r.assignee)),
    },
    trend: {
      unit: weekly ? "week" : "month",
      buckets: bucketKeys.map((key) => {
        const start = weekly ? findWeekStart(key, o.from, o.to) : `${key}-01`;
        const end = weekly ? addDays(start, 6) : lastDayOfMonth(key);
        const inBucket = received.filter((r) => bucketOf(r.receivedOn) === key);
        return {
          key,
          start,
          end,
          online: inBucket.filter((r) => r.channel === "en_ligne").length,
          counter: inBucket.filter((r) => r.channel !== "en_ligne").length,
        };
      }),
    },
    quickAnswers: {
      total: logDays.length,
      byChannel: inOrder(
        WORKSTATION_CHANNELS,
        logDays.map((l) => l.channel),
      ),
      byReason: tallies(logDays.map((l) => l.reason)),
    },
  };
}

/** The Monday of the week `key` among the period's days. */
function findWeekStart(key: string, from: string, to: string): string {
  for (let d = from; d <= to; d = addDays(d, 1)) if (isoWeek(d).key === key) return isoWeek(d).monday;
  throw new Error(`week ${key} not in period`);
}

function lastDayOfMonth(key: string): string {
  const [y, m] = key.split("-").map(Number) as [number, number];
  return isoDay(Date.UTC(y, m, 0));
}
