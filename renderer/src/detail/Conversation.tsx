import { type FormEvent, useState } from "react";
import {
  type ConversationEntry,
  conversation,
  hasNewMessage,
  replySubject,
} from "../../../domain/conversation";
import { parisDate } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { rolesOn } from "../../../domain/roles";
import { nextStatuses } from "../../../domain/workflow";
import { useWorkstation } from "../shared/app-context";
import { formatDateTime, formatDay } from "../shared/format";
import { TextField } from "../shared/TextField";
import { AttachmentItem } from "./AttachmentItem";
import { CONVERSATION_TEXT as T } from "./conversation-text";
import { useAddEvents } from "./use-add-events";

/**
 * The exchange with the citizen, in order: mails in (email door), answers out, accusés by email
 * and on paper. Every text is rendered as text (a mail's words can never become markup here).
 * An answer is one `message_out` event: recorded offline like any action, sent by the server.
 */
export function Conversation({ request: r }: { request: GuichetRequest }) {
  const { session } = useWorkstation();
  const actions = useAddEvents(r.id);
  const entries = conversation(r);
  const roles = rolesOn(r.service, session.roles, session.couchRoles);
  // « Pièces reçues »: the request leaves « en attente de pièces », which the deadline rules read
  // as the correction or completion of the file (L114-5).
  const canMarkPieces = r.status === "incomplete" && nextStatuses(r.status, roles).includes("in_progress");
  async function piecesReceived(e: Extract<ConversationEntry, { kind: "in" }>) {
    await actions.add([
      actions.event("status", {
        from: "incomplete",
        to: "in_progress",
        reason: T.piecesReceivedReason(formatDay(parisDate(e.at))),
        // The délai restarts (SVA) or resumes (SVR) from the mail's arrival, not from this click.
        piecesReceivedOn: parisDate(e.at),
      }),
    ]);
  }
  return (
    <section aria-labelledby="conversation-title" data-testid="conversation">
      <h2 id="conversation-title">{T.title}</h2>
      {hasNewMessage(r) && (
        <p className="warning" role="status" data-testid="new-message">
          {T.newMessage}
        </p>
      )}
      {actions.message && (
        <p
          className={actions.message.ok ? "success" : "error"}
          role={actions.message.ok ? "status" : "alert"}
        >
          {actions.message.text}
        </p>
      )}
      {entries.length === 0 ? (
        <p>{T.empty}</p>
      ) : (
        <ol className="timeline">
          {entries.map((e) => (
            <li key={e.id} data-kind={e.kind}>
              <p className="when">
                <time dateTime={e.at}>{formatDateTime(e.at)}</time> — {headline(e)}
              </p>
              {e.kind !== "ack" && (
                <>
                  <p className="what">{e.subject}</p>
                  <p className="note-text" style={{ whiteSpace: "pre-wrap" }}>
                    {e.text}
                  </p>
                </>
              )}
              {e.kind === "in" && e.attachments.length > 0 && (
                <div>
                  {T.attachments} :{" "}
                  {e.attachments.map((a) => (
                    <AttachmentItem key={a.id} requestId={r.id} meta={a} local={false} />
                  ))}
                </div>
              )}
              {e.kind === "in" && canMarkPieces && (
                <button type="button" onClick={() => void piecesReceived(e)}>
                  {T.piecesReceived}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
      <AnswerForm request={r} actions={actions} />
    </section>
  );
}

function headline(e: ConversationEntry): string {
  if (e.kind === "in") return T.messageIn(e.from);
  if (e.kind === "out") return `${T.messageOut(e.to)} (${e.sent ? T.sent : T.waiting})`;
  if (e.what === "registration") return T.registration;
  return e.via === "email" ? T.arEmail : T.arPrint;
}

function AnswerForm({
  request: r,
  actions,
}: {
  request: GuichetRequest;
  actions: ReturnType<typeof useAddEvents>;
}) {
  const lastIn = [...conversation(r)].reverse().find((e) => e.kind === "in");
  const [subject, setSubject] = useState(replySubject(lastIn?.kind === "in" ? lastIn.subject : r.subject));
  const [text, setText] = useState("");
  const [error, setError] = useState<string | undefined>();
  const email = r.citizen.email;
  if (!email || r.anonymised) return <p>{T.noEmail}</p>;
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return setError(T.answerEmpty);
    setError(undefined);
    const ok = await actions.add([
      actions.event("message_out", {
        to: email as string,
        subject: subject.trim() || "Re: votre demande",
        text: text.trim(),
      }),
    ]);
    if (ok) setText("");
  }
  return (
    <form onSubmit={submit} className="action" aria-labelledby="answer-form-title" noValidate>
      <h3 id="answer-form-title">{T.send}</h3>
      <TextField path="conversation.subject" label={T.answerSubject} value={subject} onChange={setSubject} />
      <TextField
        path="conversation.text"
        label={T.answerLabel}
        multiline
        required
        value={text}
        onChange={setText}
        {...(error ? { error } : {})}
      />
      <button type="submit">{T.send}</button>
    </form>
  );
}
