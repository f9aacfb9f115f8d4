import { describe, expect, it } from "vitest";
import { pendingTooOld, workstationStatusSchema } from "./workstation-status";

const base = {
  type: "workstation_status" as const,
  code: "1AB",
  name: "Accueil 1",
  agent: "marie.dupont",
  reportedAt: "2026-12-06T08:00:00.000Z",
  pendingRequests: 0,
  pendingFiles: 0,
  rejected: 0,
};

describe("workstation status", () => {
  it("flags pending work only once it is older than the commune's threshold", () => {
    const now = new Date("2026-12-07T09:00:00.000Z");
    const waiting = { ...base, pendingRequests: 2, oldestPendingAt: "2026-12-06T08:00:00.000Z" };
    expect(pendingTooOld(waiting, 24, now)).toBe(true);
    expect(pendingTooOld(waiting, 48, now)).toBe(false);
    // Nothing waits: never flagged, whatever the date.
    expect(pendingTooOld({ ...waiting, pendingRequests: 0 }, 1, now)).toBe(false);
    // Files alone count as waiting work too.
    expect(pendingTooOld({ ...waiting, pendingRequests: 0, pendingFiles: 1 }, 24, now)).toBe(true);
  });

  it("refuses a status with a bad code, a negative count or an unknown field", () => {
    expect(workstationStatusSchema.safeParse(base).success).toBe(true);
    expect(workstationStatusSchema.safeParse({ ...base, code: "abc" }).success).toBe(false);
    expect(workstationStatusSchema.safeParse({ ...base, pendingRequests: -1 }).success).toBe(false);
    expect(workstationStatusSchema.safeParse({ ...base, citizen: "Jean" }).success).toBe(false);
  });
});
