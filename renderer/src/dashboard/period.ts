import { addDays } from "../../../domain/calendar";

/** The periods a supervisor picks from; "custom" takes two dates. */
export const PERIOD_PRESETS = ["thisMonth", "last30", "thisYear", "custom"] as const;
export type PeriodPreset = (typeof PERIOD_PRESETS)[number];

export type PeriodChoice = { preset: PeriodPreset; from: string; to: string };
export type Period = { from: string; to: string };
export type PeriodResult = { ok: true; period: Period } | { ok: false; error: "missing" | "order" };

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The days a choice covers, up to `today` (Paris): nothing is received in the future. */
export function resolvePeriod(choice: PeriodChoice, today: string): PeriodResult {
  switch (choice.preset) {
    case "thisMonth":
      return { ok: true, period: { from: `${today.slice(0, 7)}-01`, to: today } };
    case "last30":
      return { ok: true, period: { from: addDays(today, -29), to: today } };
    case "thisYear":
      return { ok: true, period: { from: `${today.slice(0, 4)}-01-01`, to: today } };
    case "custom":
      if (!ISO_DAY.test(choice.from) || !ISO_DAY.test(choice.to)) return { ok: false, error: "missing" };
      if (choice.from > choice.to) return { ok: false, error: "order" };
      return { ok: true, period: { from: choice.from, to: choice.to } };
  }
}

/** statistiques-2026-11.csv for a month, statistiques-2026.csv for a year, else both dates. */
export function exportFileName(choice: PeriodPreset, period: Period): string {
  if (choice === "thisMonth") return `statistiques-${period.from.slice(0, 7)}.csv`;
  if (choice === "thisYear") return `statistiques-${period.from.slice(0, 4)}.csv`;
  return `statistiques-${period.from}_${period.to}.csv`;
}
