import { useState } from "react";
import { NetworkError } from "../../sync/http";
import { ApiError, fetchNoticeLetter } from "../../sync/server-api";
import { fr } from "../i18n/fr";
import { downloadBlob } from "../queues/download";
import { useWorkstation } from "../shared/app-context";

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
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function open() {
    setBusy(true);
    setError(null);
    try {
      const blob = await fetchNoticeLetter(ws.settings.serverUrl, ws.session, requestId, eventId);
      downloadBlob(`courrier-${tracking}.pdf`, blob);
    } catch (e) {
      if (e instanceof NetworkError) setError(D.letterOffline);
      else if (e instanceof ApiError && e.status === 404) setError(D.letterNotYet);
      else setError(D.letterFailed(e instanceof ApiError ? e.reason : (e as Error).message));
    } finally {
      setBusy(false);
    }
  }

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
