import { useState } from "react";
import type { AttachmentMeta, GuichetRequest } from "../../../domain/request";
import { rolesOn } from "../../../domain/roles";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { useAddEvents } from "./use-add-events";

const D = fr.detail;
const STAFF = ["agent", "service_agent", "supervisor"] as const;

/**
 * An online photo goes public (Open311 media_url) only once an agent has looked at it: the
 * `media_published` event, which the server checks (role, photo of this request).
 */
export function PublishPhotoButton({ request: r, meta }: { request: GuichetRequest; meta: AttachmentMeta }) {
  const { session } = useWorkstation();
  const actions = useAddEvents(r.id);
  // The agent says, in so many words, that they looked at the photo (no browser dialog).
  const [asking, setAsking] = useState(false);
  if (r.channel !== "en_ligne" || r.anonymised || !meta.mime.startsWith("image/")) return null;
  if (r.events.some((e) => e.kind === "media_published" && e.sha256 === meta.sha256))
    return <span className="hint"> {D.photoPublished}</span>;
  const roles = rolesOn(r.service, session.roles, session.couchRoles);
  if (!roles.some((x) => (STAFF as readonly string[]).includes(x))) return null;
  if (!asking)
    return (
      <>
        {" "}
        <button type="button" aria-label={D.publishPhotoLabel(meta.name)} onClick={() => setAsking(true)}>
          {D.publishPhoto}
        </button>
      </>
    );
  return (
    <span className="publish-photo">
      {" "}
      {D.publishPhotoConfirm}{" "}
      <button
        type="button"
        onClick={() => {
          void actions.add([actions.event("media_published", { sha256: meta.sha256 })]).then((ok) => {
            if (ok) setAsking(false);
          });
        }}
      >
        {D.publishPhotoYes}
      </button>{" "}
      <button type="button" onClick={() => setAsking(false)}>
        {fr.common.cancel}
      </button>
      {actions.message && !actions.message.ok && (
        <span className="field-error" role="alert">
          {actions.message.text}
        </span>
      )}
    </span>
  );
}
