import type { SyncView } from "../../sync/workstation-sync";
import { fr } from "../i18n/fr";
import { formatTime } from "../shared/format";
import { href } from "../shared/routes";
import { syncBarText } from "./sync-wording";

/** Always on screen: online or not, what is waiting, when it last worked, what went wrong. */
export function SyncBar({ status }: { status: SyncView }) {
  const { state, label, pending, last } = syncBarText(status, formatTime);
  return (
    <section className={`sync-bar sync-${state}`} aria-label={fr.sync.region}>
      <p role="status" className="sync-line">
        <span className="sync-state" data-testid="sync-state">
          {label}
        </span>
        {pending && (
          <span data-testid="sync-pending" data-count={status.pending}>
            {pending}
          </span>
        )}
        {status.attachmentsWaiting > 0 && (
          <span data-testid="sync-attachments" data-count={status.attachmentsWaiting}>
            {fr.sync.attachmentsWaiting(status.attachmentsWaiting)}
          </span>
        )}
        {last && <span>{last}</span>}
        {status.rejected > 0 && (
          <a href={href({ name: "sync" })} className="sync-rejected" data-testid="sync-rejected">
            {fr.sync.rejected(status.rejected)}
          </a>
        )}
      </p>
      {state === "offline" && <p className="sync-hint">{fr.sync.offlineHint}</p>}
      {status.lastError && state !== "offline" && (
        <p className="sync-error" role="alert">
          {status.lastError}
        </p>
      )}
    </section>
  );
}
