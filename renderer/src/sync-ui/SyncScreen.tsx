import { type PendingWork, pendingWork$ } from "../../db/pending-work";
import { rejections$ } from "../../db/rejections";
import type { Rejection } from "../../db/request-rx-schema";
import type { SyncView } from "../../sync/workstation-sync";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDateTime } from "../shared/format";
import { href } from "../shared/routes";
import { ScreenTitle } from "../shared/ScreenTitle";
import { useObservable } from "../shared/use-observable";
import { useSyncNow } from "./use-sync-now";

const NOTHING: PendingWork = { requests: [], files: [], moreRequests: 0 };

/** What waits to leave this workstation, what the server refused (and how to fix it), and a button that says what it did. */
export function SyncScreen({ status }: { status: SyncView }) {
  const { data, reSync } = useWorkstation();
  const rejections = useObservable<Rejection[]>(() => rejections$(data.db), [data], []);
  const pending = useObservable<PendingWork>(() => pendingWork$(data), [data], NOTHING);
  const now = useSyncNow(status, reSync);
  return (
    <>
      <ScreenTitle>{fr.sync.title}</ScreenTitle>
      <p>
        <button type="button" onClick={() => void now.run()} disabled={now.busy}>
          {now.busy ? fr.sync.syncing : fr.sync.retryNow}
        </button>
      </p>
      <p role="status" data-testid="sync-now-result">
        {now.message}
      </p>
      <p>{fr.sync.quickAnswersLocal}</p>
      <h2>{fr.sync.pendingTitle}</h2>
      {pending.requests.length === 0 ? (
        <p>{fr.sync.noPending}</p>
      ) : (
        <ul className="pending-requests" data-testid="pending-requests">
          {pending.requests.map((r) => (
            <li key={r.id}>
              <a href={href({ name: "request", id: r.id })}>{displayTracking(r.id)}</a>
              {r.subject && ` — ${r.subject}`} — {fr.sync.changedAt(formatDateTime(r.since))}
            </li>
          ))}
        </ul>
      )}
      {pending.moreRequests > 0 && (
        <p data-testid="pending-more">{fr.sync.morePending(pending.moreRequests)}</p>
      )}
      <h2>{fr.sync.filesTitle}</h2>
      {pending.files.length === 0 ? (
        <p>{fr.sync.noFiles}</p>
      ) : (
        <ul className="pending-files" data-testid="pending-files">
          {pending.files.map((f) => (
            <li key={f.id}>
              {f.name || fr.sync.unnamedFile} — {fr.sync.fileOf}{" "}
              <a href={href({ name: "request", id: f.requestId })}>{displayTracking(f.requestId)}</a>
            </li>
          ))}
        </ul>
      )}
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
