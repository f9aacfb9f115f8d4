import { parisDate } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { isOpen } from "../../../domain/workflow";
import { deadlineView } from "../../db/deadline-view";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { formatDay } from "../shared/format";

export function DeadlineBox({ request: r }: { request: GuichetRequest }) {
  const { commune } = useWorkstation();
  const dv = deadlineView(r, parisDate(new Date().toISOString()), commune.risk);
  let text: string;
  const ended = !isOpen(r.status);
  if (r.rule.kind === "none") text = fr.detail.deadlineNone;
  else if (r.implicitDecision !== "none" && dv.dueOn)
    text = fr.detail.deadlineBorn(
      r.implicitDecision === "acceptance" ? fr.detail.acceptance : fr.detail.rejection,
      formatDay(dv.dueOn),
    );
  // Answered, closed, forwarded or cancelled: no implicit decision to wait for, no countdown.
  else if (ended) text = fr.detail.deadlineEnded[r.status as keyof typeof fr.detail.deadlineEnded];
  else if (!dv.dueOn) text = r.status === "incomplete" ? fr.detail.deadlineStopped : fr.detail.deadlineNone;
  else {
    const outcome = r.outcome === "acceptance" ? fr.detail.acceptance : fr.detail.rejection;
    text = `${fr.detail.deadlineDue(outcome, formatDay(dv.dueOn))} — ${fr.detail.daysLeft(dv.daysLeft ?? 0)}`;
  }
  return (
    <section className={`deadline risk-${dv.risk}`} aria-labelledby="deadline-title">
      <h2 id="deadline-title">{fr.detail.deadline}</h2>
      <p data-testid="deadline">
        {text} {!ended && <span className="badge">{fr.detail.risk[dv.risk]}</span>}
      </p>
    </section>
  );
}
