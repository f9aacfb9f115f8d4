import { of } from "rxjs";
import { parisDate } from "../../../domain/history";
import { quickAnswersToday$ } from "../../db/quick-answers";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { useObservable } from "../shared/use-observable";

export function TodayCounter() {
  const { data, workstationCode } = useWorkstation();
  const today = parisDate(new Date().toISOString());
  // A workstation without its code yet has recorded nothing: 0 until it has one.
  const count = useObservable(
    () => (workstationCode ? quickAnswersToday$(data, today, workstationCode) : of(0)),
    [data, today, workstationCode],
    0,
  );
  return (
    <span className="today-counter" data-testid="quick-count" data-count={count}>
      {fr.quick.today(count)}
    </span>
  );
}
