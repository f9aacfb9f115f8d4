import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonthsLegal,
  assertIsoDate,
  type CommuneCalendar,
  dayOfWeek,
  daysBetween,
  formatFrenchDate,
  holidayName,
  isWorkingDay,
  nextWorkingDay,
  publicHolidays,
} from "./calendar";

const METROPOLE: CommuneCalendar = { region: "metropole" };
const ALSACE_MOSELLE: CommuneCalendar = { region: "alsace-moselle" };

// The 11 jours fériés of Code du travail L3133-1.
const METROPOLE_2026 = [
  ["2026-01-01", "Nouvel An"],
  ["2026-04-06", "Lundi de Pâques"],
  ["2026-05-01", "Fête du travail"],
  ["2026-05-08", "Fête de la Victoire 1945"],
  ["2026-05-14", "Ascension"],
  ["2026-05-25", "Lundi de Pentecôte"],
  ["2026-07-14", "Fête Nationale de la France"],
  ["2026-08-15", "Assomption"],
  ["2026-11-01", "Toussaint"],
  ["2026-11-11", "Armistice 1918"],
  ["2026-12-25", "Noël"],
];

const METROPOLE_2027 = [
  ["2027-01-01", "Nouvel An"],
  ["2027-03-29", "Lundi de Pâques"],
  ["2027-05-01", "Fête du travail"],
  ["2027-05-06", "Ascension"],
  ["2027-05-08", "Fête de la Victoire 1945"],
  ["2027-05-17", "Lundi de Pentecôte"],
  ["2027-07-14", "Fête Nationale de la France"],
  ["2027-08-15", "Assomption"],
  ["2027-11-01", "Toussaint"],
  ["2027-11-11", "Armistice 1918"],
  ["2027-12-25", "Noël"],
];

const asPairs = (list: { date: string; name: string }[]) => list.map((h) => [h.date, h.name]);
const sorted = (pairs: string[][]) => [...pairs].sort((a, b) => (a[0] ?? "").localeCompare(b[0] ?? ""));

describe("publicHolidays", () => {
  it("lists the eleven metropolitan public holidays of 2026 with their exact dates", () => {
    expect(asPairs(publicHolidays(2026, "metropole"))).toEqual(METROPOLE_2026);
  });

  it("lists the eleven metropolitan public holidays of 2027 (Easter on 28 March)", () => {
    expect(asPairs(publicHolidays(2027, "metropole"))).toEqual(METROPOLE_2027);
  });

  it("adds Good Friday and Saint-Étienne for Alsace-Moselle in 2026 (Code du travail L3134-13)", () => {
    expect(asPairs(publicHolidays(2026, "alsace-moselle"))).toEqual(
      sorted([...METROPOLE_2026, ["2026-04-03", "Vendredi saint"], ["2026-12-26", "Lendemain de Noël"]]),
    );
  });

  it("adds Good Friday and Saint-Étienne for Alsace-Moselle in 2027", () => {
    expect(asPairs(publicHolidays(2027, "alsace-moselle"))).toEqual(
      sorted([...METROPOLE_2027, ["2027-03-26", "Vendredi saint"], ["2027-12-26", "Lendemain de Noël"]]),
    );
  });

  it("leaves out observances such as Pentecost Sunday and Mother's Day", () => {
    const dates = publicHolidays(2026, "metropole").map((h) => h.date);
    expect(dates).not.toContain("2026-05-24");
    expect(dates).not.toContain("2026-05-31");
  });

  it("returns a copy, so a caller cannot corrupt the cache", () => {
    const first = publicHolidays(2026, "metropole");
    first.pop();
    const head = first[0];
    if (head) head.date = "1999-01-01";
    expect(asPairs(publicHolidays(2026, "metropole"))).toEqual(METROPOLE_2026);
  });

  it("names the holiday of a given day, and nothing on an ordinary day", () => {
    expect(holidayName("2026-05-14", "metropole")).toBe("Ascension");
    expect(holidayName("2026-12-26", "alsace-moselle")).toBe("Lendemain de Noël");
    expect(holidayName("2026-12-26", "metropole")).toBeUndefined();
  });
});

describe("isWorkingDay", () => {
  it("treats Good Friday as a working day in metropolitan France only", () => {
    expect(isWorkingDay("2026-04-03", METROPOLE)).toBe(true);
    expect(isWorkingDay("2026-04-03", ALSACE_MOSELLE)).toBe(false);
  });

  it("treats Easter Monday, Ascension and Whit Monday as non-working everywhere", () => {
    for (const day of ["2026-04-06", "2026-05-14", "2026-05-25", "2027-03-29", "2027-05-06", "2027-05-17"]) {
      expect(isWorkingDay(day, METROPOLE)).toBe(false);
      expect(isWorkingDay(day, ALSACE_MOSELLE)).toBe(false);
    }
  });

  it("treats the days around the holidays as working days", () => {
    expect(isWorkingDay("2026-04-07", ALSACE_MOSELLE)).toBe(true);
    expect(isWorkingDay("2026-04-02", ALSACE_MOSELLE)).toBe(true);
    expect(isWorkingDay("2026-05-13", METROPOLE)).toBe(true);
    expect(isWorkingDay("2026-05-15", METROPOLE)).toBe(true);
  });

  it("treats Saturdays and Sundays as non-working", () => {
    expect(isWorkingDay("2026-03-14", METROPOLE)).toBe(false);
    expect(isWorkingDay("2026-03-15", METROPOLE)).toBe(false);
    expect(isWorkingDay("2026-03-16", METROPOLE)).toBe(true);
  });

  it("treats Saint-Étienne on a weekday as non-working in Alsace-Moselle only (26/12/2028 is a Tuesday)", () => {
    expect(isWorkingDay("2028-12-26", METROPOLE)).toBe(true);
    expect(isWorkingDay("2028-12-26", ALSACE_MOSELLE)).toBe(false);
  });

  it("honours the days the commune declared closed", () => {
    const pont: CommuneCalendar = { region: "metropole", extraClosedDays: ["2026-05-15"] };
    expect(isWorkingDay("2026-05-15", pont)).toBe(false);
    expect(isWorkingDay("2026-05-15", METROPOLE)).toBe(true);
  });
});

describe("nextWorkingDay", () => {
  it("returns the date itself when it is a working day", () => {
    expect(nextWorkingDay("2026-03-16", METROPOLE)).toBe("2026-03-16");
  });

  it("skips a weekend", () => {
    expect(nextWorkingDay("2026-03-14", METROPOLE)).toBe("2026-03-16");
    expect(nextWorkingDay("2026-03-15", METROPOLE)).toBe("2026-03-16");
  });

  it("skips the Easter weekend, from Good Friday in Alsace-Moselle", () => {
    expect(nextWorkingDay("2026-04-03", ALSACE_MOSELLE)).toBe("2026-04-07");
    expect(nextWorkingDay("2026-04-03", METROPOLE)).toBe("2026-04-03");
    expect(nextWorkingDay("2026-04-04", METROPOLE)).toBe("2026-04-07");
  });

  it("skips Christmas and Saint-Étienne in Alsace-Moselle", () => {
    expect(nextWorkingDay("2028-12-25", METROPOLE)).toBe("2028-12-26");
    expect(nextWorkingDay("2028-12-25", ALSACE_MOSELLE)).toBe("2028-12-27");
  });

  it("skips a pont declared by the commune after Ascension", () => {
    const pont: CommuneCalendar = { region: "metropole", extraClosedDays: ["2026-05-15"] };
    expect(nextWorkingDay("2026-05-14", pont)).toBe("2026-05-18");
  });

  it("crosses into the next year", () => {
    expect(nextWorkingDay("2027-12-31", { region: "metropole", extraClosedDays: ["2027-12-31"] })).toBe(
      "2028-01-03",
    );
  });

  it("refuses a calendar closed for more than a year", () => {
    const closed = Array.from({ length: 400 }, (_, i) => addDays("2026-01-01", i));
    expect(() => nextWorkingDay("2026-01-01", { region: "metropole", extraClosedDays: closed })).toThrow(
      RangeError,
    );
  });
});

describe("plain-date helpers", () => {
  it("adds days across months, years and leap days", () => {
    expect(addDays("2026-01-31", 1)).toBe("2026-02-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
  });

  it("is not fooled by the daylight saving change (29/03/2026 is 23 hours long in Paris)", () => {
    expect(addDays("2026-03-28", 2)).toBe("2026-03-30");
    expect(daysBetween("2026-03-28", "2026-03-30")).toBe(2);
    expect(daysBetween("2026-10-24", "2026-10-26")).toBe(2);
  });

  it.each([
    ["2026-01-15", 2, "2026-03-15", "date to date"],
    ["2026-12-31", 2, "2027-02-28", "31 December + 2 months ends on 28 February"],
    ["2027-12-31", 2, "2028-02-29", "31 December + 2 months ends on 29 February in a leap year"],
    ["2026-01-31", 1, "2026-02-28", "31 January + 1 month ends on the last day of February"],
    ["2026-03-31", 1, "2026-04-30", "31 March + 1 month ends on 30 April"],
    ["2026-11-30", 3, "2027-02-28", "30 November + 3 months ends on 28 February"],
    ["2026-06-15", 12, "2027-06-15", "12 months is one year"],
    ["2026-03-31", -1, "2026-02-28", "negative months go back, clamped as well"],
    ["2026-05-10", 0, "2026-05-10", "zero months is the same day"],
  ])("addMonthsLegal(%s, %i) = %s: %s", (date, months, expected) => {
    expect(addMonthsLegal(date, months)).toBe(expected);
  });

  it("counts days between two dates, negative when the second is earlier", () => {
    expect(daysBetween("2026-01-15", "2026-03-15")).toBe(59);
    expect(daysBetween("2026-03-15", "2026-01-15")).toBe(-59);
    expect(daysBetween("2026-01-15", "2026-01-15")).toBe(0);
  });

  it("gives the day of the week, 0 for Sunday", () => {
    expect(dayOfWeek("2026-03-15")).toBe(0);
    expect(dayOfWeek("2026-03-16")).toBe(1);
    expect(dayOfWeek("2026-03-14")).toBe(6);
  });

  it("formats dates the French way", () => {
    expect(formatFrenchDate("2026-03-12")).toBe("12/03/2026");
  });

  it.each(["2026-02-29", "2026-13-01", "2026-00-10", "2026-1-5", "2026-01-32", "15/01/2026", ""])(
    "rejects %j as an ISO date",
    (bad) => {
      expect(() => assertIsoDate(bad)).toThrow(RangeError);
      expect(() => addDays(bad, 1)).toThrow(RangeError);
      expect(() => addMonthsLegal(bad, 1)).toThrow(RangeError);
    },
  );

  it("accepts 29 February in a leap year", () => {
    expect(assertIsoDate("2028-02-29")).toBe("2028-02-29");
  });

  const isoDate = fc
    .date({
      min: new Date("1990-01-01T00:00:00Z"),
      max: new Date("2100-12-31T00:00:00Z"),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));

  it("makes addDays and daysBetween inverse of each other (property)", () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -5000, max: 5000 }), (date, n) => {
        expect(daysBetween(date, addDays(date, n))).toBe(n);
      }),
    );
  });

  it("makes addMonthsLegal land in the right month, on the same day or the month's last day (property)", () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -240, max: 240 }), (date, months) => {
        const result = addMonthsLegal(date, months);
        const [y, m, d] = date.split("-").map(Number) as [number, number, number];
        const [ry, rm, rd] = result.split("-").map(Number) as [number, number, number];
        expect(ry * 12 + rm - (y * 12 + m)).toBe(months);
        if (rd !== d) {
          expect(rd).toBeLessThan(d);
          expect(addDays(result, 1).slice(8)).toBe("01");
        }
      }),
    );
  });
});
