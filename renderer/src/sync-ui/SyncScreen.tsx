import { rejections$ } from "../../db/rejections";
import type { Rejection } from "../../db/request-rx-schema";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDateTime } from "../shared/format";
import { href } from "../shared/routes";
import { ScreenTitle } from "../shared/ScreenTitle";
import { useObservable } from "../shared/use-observable";

/** Documents the server refused, with its reason and the way to fix them. */
export function SyncScreen() {
  const { data, reSync } = useWorkstation();
  const rejections = useObservable<Rejection[]>(() => rejections$(data.db), [data], []);
  return (
    <>
      <ScreenTitle>{fr.sync.title}</ScreenTitle>
      <p>
        <button type="button" onClick={reSync}>
          {fr.sync.retryNow}
        </button>
      </p>
      <p>{fr.sync.quickAnswersLocal}</p>
      <h2>{fr.sync.rejectedTitle}</h2>
      <p>{fr.sync.rejectedIntro}</p>
      {rejections.length === 0 ? (
        <p>{fr.sync.noRejected}</p>
      ) : (
        <ul className="rejections">
          {rejections.map((r) => (
            <li key={r.id}>
              <strong>{displayTracking(r.id)}</strong> — {formatDateTime(r.at)}
              <br />
              {fr.sync.reason} : <span className="reason">{r.reason}</span>
              <br />
              <a href={href({ name: "request", id: r.id })}>{fr.sync.open}</a>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
