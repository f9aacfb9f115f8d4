import { useQuery } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { demarcheAt } from "../../../domain/catalogue";
import { CHANNEL_LABELS } from "../../../domain/channels";
import { STATUS_LABELS } from "../../../domain/workflow";
import { localAttachmentIds } from "../../db/attachments";
import { rejectionOf$ } from "../../db/rejections";
import type { Rejection } from "../../db/request-rx-schema";
import { AcknowledgementView } from "../acknowledgement/AcknowledgementView";
import { ackFor } from "../acknowledgement/build-ack";
import { PrintArButton } from "../acknowledgement/PrintArButton";
import { CitizenRequests } from "../citizen/CitizenRequests";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDateTime, formatDay } from "../shared/format";
import { requestOptions } from "../shared/queue-queries";
import { ScreenTitle } from "../shared/ScreenTitle";
import { useObservable } from "../shared/use-observable";
import { ActionsPanel } from "./ActionsPanel";
import { AttachmentItem } from "./AttachmentItem";
import { Conversation } from "./Conversation";
import { CorrectionForm } from "./CorrectionForm";
import { DeadlineBox } from "./DeadlineBox";
import { DemarcheChoice } from "./DemarcheChoice";
import { PublishPhotoButton } from "./PublishPhotoButton";
import { Timeline } from "./Timeline";

const D = fr.detail;

export function DetailScreen({ id }: { id: string }) {
  const ws = useWorkstation();
  const { data, catalogue, commune } = ws;
  const request = useQuery(requestOptions(data, id));
  const files = useQuery({
    queryKey: ["requests", "files", id],
    queryFn: () => localAttachmentIds(data, id),
  });
  const rejection = useObservable<Rejection | null>(() => rejectionOf$(data.db, id), [data, id], null);
  const [correcting, setCorrecting] = useState(false);
  const r = request.data;
  if (!r) return <p role="status">{request.isFetched ? D.notFound(id) : fr.app.loading}</p>;
  const demarche = catalogue.demarches.find((d) => d.id === r.demarche);
  const service = catalogue.services.find((s) => s.id === r.service)?.name ?? r.service;
  const ar = ackFor(r, catalogue, commune);
  // Fields as defined by the version the request was made with (an admin may have changed them since).
  const madeWith = demarcheAt(
    catalogue,
    ws.settings.config?.demarcheVersions ?? [],
    r.demarche,
    r.demarcheVersion,
  );
  // A mail keeps the fields it was filed with (« Votre demande ») after its démarche is chosen.
  const fieldLabel = (key: string) =>
    madeWith?.fields.find((f) => f.key === key)?.label ??
    catalogue.demarches.flatMap((d) => d.fields).find((f) => f.key === key)?.label ??
    key;
  const fieldValue = (key: string, v: string | number | boolean) => {
    const def = madeWith?.fields.find((f) => f.key === key);
    if (typeof v === "boolean") return v ? fr.common.yes : fr.common.no;
    if (def?.kind === "select") return def.options?.find((o) => o.value === v)?.label ?? String(v);
    if (def?.kind === "date") return formatDay(String(v));
    return String(v);
  };
  const c = r.citizen;
  const application = r.events.find((e) => e.kind === "application_filed")?.application;

  return (
    <>
      <div className="no-print">
        <ScreenTitle>
          <span className="tracking" data-testid="detail-tracking">
            {displayTracking(r.id)}
          </span>{" "}
          — {demarche?.label ?? r.demarche}
        </ScreenTitle>
        {rejection && (
          <div className="rejected-banner" role="alert">
            <p>{D.rejectedBanner(rejection.reason)}</p>
            {demarche && !correcting && (
              <button type="button" onClick={() => setCorrecting(true)}>
                {D.correct}
              </button>
            )}
          </div>
        )}
        {correcting && demarche && (
          <CorrectionForm request={r} demarche={demarche} onDone={() => setCorrecting(false)} />
        )}
        {r.sensitive && <p className="warning">{D.sensitive}</p>}
        <section aria-labelledby="content-title">
          <h2 id="content-title">{D.content}</h2>
          <dl className="facts" data-testid="detail-facts">
            <dt>{fr.newRequest.subject}</dt>
            <dd>{r.subject}</dd>
            <dt>{D.status}</dt>
            <dd data-testid="detail-status">{STATUS_LABELS[r.status]}</dd>
            <dt>{D.receivedAt}</dt>
            <dd>{formatDateTime(r.receivedAt)}</dd>
            {r.postmarkOn && (
              <>
                <dt>{D.postmark}</dt>
                <dd>{formatDay(r.postmarkOn)}</dd>
              </>
            )}
            <dt>{D.channel}</dt>
            <dd>{CHANNEL_LABELS[r.channel]}</dd>
            <dt>{D.service}</dt>
            <dd>{service}</dd>
            <dt>{D.assignee}</dt>
            <dd>{r.assignee || D.nobody}</dd>
            <dt>{D.citizen}</dt>
            <dd data-testid="detail-citizen">
              {c.firstName} {c.lastName}
              {c.phone && <> · {c.phone}</>}
              {c.email && <> · {c.email}</>}
              {c.address && (
                <>
                  {" "}
                  · {c.address.line}, {c.address.postcode} {c.address.city}
                </>
              )}
            </dd>
            {r.filedBy && (
              <>
                <dt>{D.filedBy}</dt>
                <dd>
                  {r.filedBy.name} ({r.filedBy.relation})
                </dd>
              </>
            )}
            {r.location?.address && (
              <>
                <dt>{D.location}</dt>
                <dd>{r.location.address}</dd>
              </>
            )}
            {Object.entries(r.fields).map(([k, v]) => (
              <Fragment key={k}>
                <dt>{fieldLabel(k)}</dt>
                <dd>{fieldValue(k, v)}</dd>
              </Fragment>
            ))}
            <dt>{D.attachments}</dt>
            <dd>
              {r.attachments.length === 0
                ? D.noAttachments
                : r.attachments.map((a) => (
                    <Fragment key={a.id}>
                      <AttachmentItem requestId={r.id} meta={a} local={files.data?.has(a.id) ?? false} />
                      <PublishPhotoButton request={r} meta={a} />
                    </Fragment>
                  ))}
            </dd>
            {application && (
              <>
                <dt>{D.application}</dt>
                <dd>{application}</dd>
              </>
            )}
            <dt>{D.createdBy}</dt>
            <dd>
              {r.createdBy} ({r.workstation})
            </dd>
          </dl>
        </section>
        <DeadlineBox request={r} />
        <DemarcheChoice request={r} />
        <ActionsPanel request={r} />
        <Conversation request={r} />
        <Timeline request={r} />
        <CitizenRequests request={r} compact />
        {ar.kind === "ok" && (
          <p className="buttons">
            <PrintArButton request={r} ack={ar.ack} />
          </p>
        )}
      </div>
      {ar.kind === "ok" && (
        <div className="print-only">
          <AcknowledgementView ack={ar.ack} commune={commune} />
        </div>
      )}
    </>
  );
}
