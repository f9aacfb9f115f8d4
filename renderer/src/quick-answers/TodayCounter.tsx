import { parisDate } from "../../../domain/history";
import { quickAnswersToday$ } from "../../db/quick-answers";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { useObservable } from "../shared/use-observable";

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
