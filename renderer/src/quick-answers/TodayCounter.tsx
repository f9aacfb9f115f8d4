import { parisDate } from "../../../domain/history";
import { useWorkstation } from "../app/app-context";
import { quickAnswersToday$ } from "../data/quick-answers";
import { useObservable } from "../data/use-observable";
import { fr } from "../i18n/fr";

export function TodayCounter() {
  const { data, workstationCode } = useWorkstation();
  const today = parisDate(new Date().toISOString());
  const count = useObservable(
    () => quickAnswersToday$(data, today, workstationCode ?? ""),
    [data, today, workstationCode],
    0,
  );
  return (
    <span className="today-counter" data-testid="quick-count" data-count={count}>
      {fr.quick.today(count)}
    </span>
  );
}
