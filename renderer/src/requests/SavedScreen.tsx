import { useQuery } from "@tanstack/react-query";
import { formatFollowUpCode } from "../../../domain/follow-up-code";
import { AcknowledgementView } from "../acknowledgement/AcknowledgementView";
import { ackFor } from "../acknowledgement/build-ack";
import { PrintArButton } from "../acknowledgement/PrintArButton";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking } from "../shared/format";
import { requestOptions } from "../shared/queue-queries";
import { href } from "../shared/routes";
import { ScreenTitle } from "../shared/ScreenTitle";

/** Right after saving: the number to give the citizen and the AR, ready to print. */
export function SavedScreen({ id }: { id: string }) {
  const ws = useWorkstation();
  const request = useQuery(requestOptions(ws.data, id));
  const r = request.data;
  if (!r) return <p>{request.isFetched ? fr.detail.notFound(id) : fr.app.loading}</p>;
  const ar = ackFor(r, ws.catalogue, ws.commune);
  return (
    <>
      <div className="no-print">
        <ScreenTitle>{fr.saved.title}</ScreenTitle>
        <p className="tracking-box">
          {fr.saved.tracking} :{" "}
          <strong className="tracking" data-testid="tracking-number">
            {displayTracking(r.tracking)}
          </strong>
        </p>
        {r.followUpCode && (
          <p className="tracking-box">
            {fr.saved.followUpCode} :{" "}
            <strong className="tracking" data-testid="follow-up-code">
              {formatFollowUpCode(r.followUpCode)}
            </strong>
          </p>
        )}
        <p className="help">{fr.saved.trackingHelp}</p>
        <p>{fr.saved.savedLocally}</p>
        {r.sensitive && !ws.settings.config?.databases.sensitive?.[r.service] && (
          <p className="warning" data-testid="handover-notice">
            {fr.saved.handedOver(ws.catalogue.services.find((s) => s.id === r.service)?.name ?? r.service)}
          </p>
        )}
        <p className="buttons">
          {ar.kind === "ok" && <PrintArButton request={r} ack={ar.ack} />}
          <a href={href({ name: "new" })} className="button">
            {fr.saved.another} <kbd>Alt+N</kbd>
          </a>
          <a href={href({ name: "request", id: r.id })} className="button">
            {fr.saved.openDetail}
          </a>
        </p>
        {ar.kind === "not_owed" && <p>{fr.saved.noArOwed}</p>}
        {ar.kind === "unavailable" && <p className="warning">{`${fr.saved.arPending} (${ar.reason})`}</p>}
      </div>
      {ar.kind === "ok" && <AcknowledgementView ack={ar.ack} commune={ws.commune} />}
    </>
  );
}
