import { fetchNoticeLetter } from "../../sync/server-api";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { useServerDownload } from "./use-server-download";

const D = fr.detail;

/** The notice of one event as a letter (PDF from the server), for a citizen without an email. */
export function NoticeLetterButton({
  requestId,
  eventId,
  tracking,
}: {
  requestId: string;
  eventId: string;
  tracking: string;
}) {
  const ws = useWorkstation();
  const { busy, error, download } = useServerDownload({
    offline: D.letterOffline,
    notYet: D.letterNotYet,
    failed: D.letterFailed,
  });
  const open = () =>
    download(`courrier-${tracking}.pdf`, () =>
      fetchNoticeLetter(ws.settings.serverUrl, ws.session, requestId, eventId),
    );

  return (
    <span className="notice-letter">
      <button type="button" className="link" onClick={open} disabled={busy} data-testid="notice-letter">
        {D.letter}
      </button>
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
