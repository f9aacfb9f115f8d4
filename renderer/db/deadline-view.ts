import { type Deadline, daysRemaining, type RiskLevel, riskLevel } from "../../domain/deadlines";
import { type GuichetRequest, NO_DUE_DATE } from "../../domain/request";

export type DeadlineView = { dueOn: string | null; daysLeft: number | null; risk: RiskLevel };

/** Days left and risk of a stored request, from its projected `dueOn` (the domain computed it). */
export function deadlineView(
  r: Pick<GuichetRequest, "dueOn" | "outcome">,
  today: string,
  thresholds: { soonDays: number; urgentDays: number },
): DeadlineView {
  const dueOn = r.dueOn === NO_DUE_DATE ? null : r.dueOn;
  const d: Deadline = {
    outcome: r.outcome === "none" ? null : r.outcome,
    dueOn,
    running: dueOn !== null,
    startedOn: null,
    pausedSince: null,
    steps: [],
  };
  return {
    dueOn,
    daysLeft: dueOn ? daysRemaining(dueOn, today) : null,
    risk: riskLevel(d, today, thresholds),
  };
}
