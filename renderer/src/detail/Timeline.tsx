import { sortEvents } from "../../../domain/history";
import { noticeEvents } from "../../../domain/notices";
import type { GuichetRequest, RequestEvent } from "../../../domain/request";
import { STATUS_LABELS } from "../../../domain/workflow";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { displayTracking, formatDateTime, formatDay } from "../shared/format";
import { CONVERSATION_TEXT } from "./conversation-text";
import { DEMARCHE_CHOICE_TEXT } from "./demarche-choice-text";
import { NoticeLetterButton } from "./NoticeLetterButton";

const E = fr.events;

/** Full history: who, when, from which workstation, what changed. Free text stays text. */
export function Timeline({ request }: { request: GuichetRequest }) {
  const { catalogue } = useWorkstation();
  const serviceName = (id: string) => catalogue.services.find((s) => s.id === id)?.name ?? id;
  const demarcheName = (id: string) => catalogue.demarches.find((d) => d.id === id)?.label ?? id;
  // Events the citizen is told of (domain/notices.ts): by email when there is one, else by letter.
  const notices = new Set(noticeEvents(request).map((n) => n.eventId));
  const sentTo = new Map(
    request.events.flatMap((e) => (e.kind === "message_sent" ? [[e.ref, e.to] as const] : [])),
  );
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">{fr.detail.history}</h2>
      <ol className="timeline" data-testid="timeline">
        {sortEvents(request.events).map((e) => (
          <li key={e.id}>
            <p className="when">
              <time dateTime={e.at}>{formatDateTime(e.at)}</time> — {E.by(e.by, e.workstation)}
            </p>
            <p className="what">{eventSummary(e, serviceName, demarcheName)}</p>
            <Details event={e} />
            {notices.has(e.id) && (
              <p className="notice">
                {sentTo.has(e.id) && <span>{fr.detail.noticeSent(sentTo.get(e.id) ?? "")} · </span>}
                {!request.anonymised && (
                  <NoticeLetterButton requestId={request.id} eventId={e.id} tracking={request.tracking} />
                )}
              </p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

function eventSummary(
  e: RequestEvent,
  serviceName: (id: string) => string,
  demarcheName: (id: string) => string,
): string {
  switch (e.kind) {
    case "created":
      return E.created(serviceName(e.service));
    case "status":
      return E.status(STATUS_LABELS[e.from], STATUS_LABELS[e.to]);
    case "assigned":
      return E.assigned(serviceName(e.service), e.assignee);
    case "demarche_chosen":
      return DEMARCHE_CHOICE_TEXT.chosen(demarcheName(e.demarche), serviceName(e.service));
    case "note":
      return E.note;
    case "ar_sent":
      return E.arSent(e.via);
    case "registration_sent":
      return E.registrationSent;
    case "implicit_decision":
      return E.implicit(
        e.outcome === "acceptance" ? fr.detail.acceptance : fr.detail.rejection,
        formatDay(e.dueOn),
      );
    case "deadline_flagged":
      return E.deadlineFlagged(formatDay(e.dueOn));
    case "duplicate_linked":
      return E.duplicate(displayTracking(e.otherId));
    case "anonymised":
      return E.anonymised;
    case "media_published":
      return E.mediaPublished;
    case "application_filed":
      return E.applicationFiled(e.application);
    case "message_in":
      return CONVERSATION_TEXT.messageIn(e.from);
    case "message_out":
      return CONVERSATION_TEXT.messageOut(e.to);
    case "message_sent":
      return CONVERSATION_TEXT.messageSent;
  }
}

function Details({ event: e }: { event: RequestEvent }) {
  if (e.kind === "note") return <p className="note-text">{e.text}</p>;
  if (e.kind !== "status") return null;
  return (
    <dl className="event-details">
      {e.reason && (
        <>
          <dt>{E.reason}</dt>
          <dd>{e.reason}</dd>
        </>
      )}
      {e.missingPieces && e.missingPieces.length > 0 && (
        <>
          <dt>{E.missing}</dt>
          <dd>{e.missingPieces.join(" ; ")}</dd>
        </>
      )}
      {e.piecesDueOn && (
        <>
          <dt>{E.dueOn}</dt>
          <dd>{formatDay(e.piecesDueOn)}</dd>
        </>
      )}
      {e.answer && (
        <>
          <dt>{E.answer}</dt>
          <dd className="note-text">{e.answer}</dd>
        </>
      )}
      {e.forwardedTo && (
        <>
          <dt>{E.forwardedTo}</dt>
          <dd>{e.forwardedTo}</dd>
        </>
      )}
    </dl>
  );
}
