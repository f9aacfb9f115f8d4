import { useState } from "react";
import type { AttachmentMeta } from "../../../domain/request";
import { localAttachmentBlob } from "../../db/attachments";
import { NetworkError } from "../../sync/http";
import { ApiError, fetchAttachment } from "../../sync/server-api";
import { fr } from "../i18n/fr";
import { downloadBlob } from "../queues/download";
import { useWorkstation } from "../shared/app-context";

const D = fr.detail;

/** One attachment: opened from this workstation while it waits here, from the server afterwards. */
export function AttachmentItem({
  requestId,
  meta,
  local,
}: {
  requestId: string;
  meta: AttachmentMeta;
  local: boolean;
}) {
  const ws = useWorkstation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function open() {
    setBusy(true);
    setError(null);
    try {
      const blob =
        (local ? await localAttachmentBlob(ws.data, meta.id, meta.mime) : null) ??
        (await fetchAttachment(ws.settings.serverUrl, ws.session, requestId, meta.sha256));
      downloadBlob(meta.name, blob);
    } catch (e) {
      if (e instanceof NetworkError) setError(D.attachmentOffline);
      else if (e instanceof ApiError && e.status === 404) setError(D.attachmentNotYet);
      else setError(D.attachmentFailed(e instanceof ApiError ? e.reason : (e as Error).message));
    } finally {
      setBusy(false);
    }
  }

  return (
    <span className="attachment">
      <button
        type="button"
        className="link"
        onClick={open}
        disabled={busy}
        aria-label={D.attachmentOpen(meta.name)}
      >
        {meta.name}
      </button>{" "}
      ({fr.common.kilobytes(meta.size)}) {local && D.attachmentsLocal}
      {error && (
        <span className="field-error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
