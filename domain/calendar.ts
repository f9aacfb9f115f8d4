// Commune calendar: public holidays, working days and plain-date arithmetic.
//
// Every date is an ISO "YYYY-MM-DD" string, a calendar day with no time and no
// zone. Arithmetic goes through UTC day numbers so the result never depends on
// the workstation's time zone or on daylight saving changes.

import Holidays from "date-holidays";

/**
 * Which set of public holidays applies to the commune.
 * - "metropole": the 11 days of Code du travail L3133-1.
 * - "alsace-moselle": plus Good Friday and 26 December (Code du travail L3134-13;
 *   date-holidays models them on the departments "57", "67" and "68").
 * Overseas departments would be one line each in REGION_STATE (date-holidays has
 * GP, MQ, GF, RE, YT with their abolition-of-slavery day), once the request schema
 * accepts them.
 */
export const CALENDAR_REGIONS = ["metropole", "alsace-moselle"] as const;
export type CalendarRegion = (typeof CALENDAR_REGIONS)[number];

export type CommuneCalendar = {
  region: CalendarRegion;
  /** ISO dates the mairie is closed (pont, local holiday): data entered by the commune. */
  extraClosedDays?: string[];
};

export type PublicHoliday = { date: string; name: string };

// date-holidays state codes; Moselle, Bas-Rhin and Haut-Rhin carry the same two extra days.
const REGION_STATE: Record<CalendarRegion, string | undefined> = {
  metropole: undefined,
  "alsace-moselle": "57",
};

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

/** Parses a strict ISO calendar date; throws on anything else (2026-02-30, "2026-1-5"...). */
function parse(date: string): { y: number; m: number; d: number } {
  const match = ISO_DATE.exec(date);
  if (match) {
    const y = Number(match[1]);
    const m = Number(match[2]);
    const d = Number(match[3]);
    if (m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m)) return { y, m, d };
  }
  throw new RangeError(`Invalid ISO date (expected YYYY-MM-DD): ${JSON.stringify(date)}`);
}

function daysInMonth(y: number, m: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

function toDayNumber(date: string): number {
  const { y, m, d } = parse(date);
  return Date.UTC(y, m - 1, d) / MS_PER_DAY;
}

function fromDayNumber(n: number): string {
  return new Date(n * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Throws unless `date` is a valid ISO calendar date; returns it for chaining. */
export function assertIsoDate(date: string): string {
  parse(date);
  return date;
}

/** `date` plus `days` calendar days (negative to go back). */
export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/**
 * `date` plus `months`, date to date: 15 January + 2 months = 15 March. When that
 * day does not exist the period ends on the last day of the month (31 December
 * + 2 months = 28 or 29 February), the usual rule for délais in months.
 */
export function addMonthsLegal(date: string, months: number): string {
  const { y, m, d } = parse(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = index - year * 12 + 1;
  const day = Math.min(d, daysInMonth(year, month));
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Calendar days from `a` to `b` (positive when `b` is later). */
export function daysBetween(a: string, b: string): number {
  return toDayNumber(b) - toDayNumber(a);
}

/** 0 = Sunday ... 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(toDayNumber(date) * MS_PER_DAY).getUTCDay();
}

/** "2026-03-12" → "12/03/2026", for texts shown to citizens and agents. */
export function formatFrenchDate(date: string): string {
  const { y, m, d } = parse(date);
  return `${String(d).padStart(2, "0")}/${String(m).padStart(2, "0")}/${String(y).padStart(4, "0")}`;
}

const holidayEngines = new Map<CalendarRegion, Holidays>();
const holidayCache = new Map<string, readonly PublicHoliday[]>();
const holidaySetCache = new Map<string, ReadonlySet<string>>();

function engine(region: CalendarRegion): Holidays {
  let hd = holidayEngines.get(region);
  if (!hd) {
    const state = REGION_STATE[region];
    hd = state === undefined ? new Holidays("FR") : new Holidays("FR", state);
    holidayEngines.set(region, hd);
  }
  return hd;
}

function holidaysFor(year: number, region: CalendarRegion): readonly PublicHoliday[] {
  const key = `${region}:${year}`;
  let list = holidayCache.get(key);
  if (!list) {
    // Only "public" days: date-holidays also lists observances (Pentecost Sunday,
    // Mother's Day) and optional days that are not jours fériés.
    list = engine(region)
      .getHolidays(year, "fr")
      .filter((h) => h.type === "public")
      // h.date is "YYYY-MM-DD hh:mm:ss" in the region's own zone: the day part is the calendar day.
      .map((h) => Object.freeze({ date: h.date.slice(0, 10), name: h.name }))
      .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
    holidayCache.set(key, list);
  }
  return list;
}

/** Public holidays (jours fériés) of `year` in `region`, sorted by date. */
export function publicHolidays(year: number, region: CalendarRegion): PublicHoliday[] {
  return holidaysFor(year, region).map((h) => ({ ...h }));
}

function holidaySet(year: number, region: CalendarRegion): ReadonlySet<string> {
  const key = `${region}:${year}`;
  let set = holidaySetCache.get(key);
  if (!set) {
    set = new Set(holidaysFor(year, region).map((h) => h.date));
    holidaySetCache.set(key, set);
  }
  return set;
}

/** The name of the public holiday on `date`, if any. */
export function holidayName(date: string, region: CalendarRegion): string | undefined {
  const year = parse(date).y;
  return holidaysFor(year, region).find((h) => h.date === date)?.name;
}

/** Monday to Friday, not a public holiday of the region, not a day the mairie declared closed. */
export function isWorkingDay(date: string, cal: CommuneCalendar): boolean {
  const dow = dayOfWeek(date);
  if (dow === 0 || dow === 6) return false;
  if (holidaySet(parse(date).y, cal.region).has(date)) return false;
  return !(cal.extraClosedDays ?? []).includes(date);
}

// A commune closed for more than a year is a data error, not a calendar.
const MAX_SEARCH_DAYS = 366;

/** `date` itself when it is a working day, else the first working day after it. */
export function nextWorkingDay(date: string, cal: CommuneCalendar): string {
  let day = assertIsoDate(date);
  for (let i = 0; i <= MAX_SEARCH_DAYS; i++) {
    if (isWorkingDay(day, cal)) return day;
    day = addDays(day, 1);
  }
  throw new RangeError(`No working day within ${MAX_SEARCH_DAYS} days after ${date}`);
}
