import { describe, expect, it } from "vitest";
import { exportFileName, resolvePeriod } from "./period";

describe("resolvePeriod", () => {
  const today = "2026-11-23";
  it("runs the presets up to today", () => {
    expect(resolvePeriod({ preset: "thisMonth", from: "", to: "" }, today)).toEqual({
      ok: true,
      period: { from: "2026-11-01", to: today },
    });
    expect(resolvePeriod({ preset: "last30", from: "", to: "" }, today)).toEqual({
      ok: true,
      period: { from: "2026-10-25", to: today },
    });
    expect(resolvePeriod({ preset: "thisYear", from: "", to: "" }, "2026-01-01")).toEqual({
      ok: true,
      period: { from: "2026-01-01", to: "2026-01-01" },
    });
  });

  it("takes two ordered dates for a custom period, and says what is wrong otherwise", () => {
    const custom = (from: string, to: string) => resolvePeriod({ preset: "custom", from, to }, today);
    expect(custom("2026-01-01", "2026-03-31")).toEqual({
      ok: true,
      period: { from: "2026-01-01", to: "2026-03-31" },
    });
    expect(custom("2026-03-01", "2026-03-01").ok).toBe(true);
    expect(custom("", "2026-03-31")).toEqual({ ok: false, error: "missing" });
    expect(custom("2026-04-01", "2026-03-31")).toEqual({ ok: false, error: "order" });
  });
});

describe("exportFileName", () => {
  it("names the file after the month, the year or the two dates", () => {
    expect(exportFileName("thisMonth", { from: "2026-11-01", to: "2026-11-23" })).toBe(
      "statistiques-2026-11.csv",
    );
    expect(exportFileName("thisYear", { from: "2026-01-01", to: "2026-11-23" })).toBe(
      "statistiques-2026.csv",
    );
    expect(exportFileName("custom", { from: "2026-01-01", to: "2026-03-31" })).toBe(
      "statistiques-2026-01-01_2026-03-31.csv",
    );
  });
});
