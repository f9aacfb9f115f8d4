import type { AttachmentMeta } from "../../../domain/request";
import { localAttachmentBlob } from "../../db/attachments";
import { fetchAttachment } from "../../sync/server-api";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { useServerDownload } from "./use-server-download";

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
  const { busy, error, download } = useServerDownload({
    offline: D.attachmentOffline,
    notYet: D.attachmentNotYet,
    failed: D.attachmentFailed,
  });
  const open = () =>
    download(
      meta.name,
      async () =>
        (local ? await localAttachmentBlob(ws.data, meta.id, meta.mime) : null) ??
        (await fetchAttachment(ws.settings.serverUrl, ws.session, requestId, meta.sha256)),
    );

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
