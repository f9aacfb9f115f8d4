import { sortEvents } from "./history";
import type { AttachmentMeta, GuichetRequest, RequestEvent } from "./request";

/**
 * The exchange with the citizen, read from a request's history: mails in (the email door),
 * answers out (recorded by an agent, then sent by the server's outbox), accusés by email and
 * on paper. Pure: the counter shows it, the server decides from it what is still to send.
 */
export type ConversationEntry =
  | {
      kind: "in";
      id: string;
      at: string;
      from: string;
      subject: string;
      text: string;
      attachments: AttachmentMeta[];
    }
  | {
      kind: "out";
      id: string;
      at: string;
      by: string;
      to: string;
      subject: string;
      text: string;
      sent: boolean;
    }
  | { kind: "ack"; id: string; at: string; what: "registration" | "ar"; via: "email" | "print"; to: string };

export function conversation(r: Pick<GuichetRequest, "events">): ConversationEntry[] {
  const sent = sentRefs(r.events);
  const out: ConversationEntry[] = [];
  for (const e of sortEvents(r.events)) {
    if (e.kind === "message_in")
      out.push({
        kind: "in",
        id: e.id,
        at: e.at,
        from: e.from,
        subject: e.subject,
        text: e.text,
        attachments: e.attachments,
      });
    else if (e.kind === "message_out")
      out.push({
        kind: "out",
        id: e.id,
        at: e.at,
        by: e.by,
        to: e.to,
        subject: e.subject,
        text: e.text,
        sent: sent.has(e.id),
      });
    else if (e.kind === "registration_sent")
      out.push({ kind: "ack", id: e.id, at: e.at, what: "registration", via: "email", to: e.to });
    else if (e.kind === "ar_sent")
      out.push({ kind: "ack", id: e.id, at: e.at, what: "ar", via: e.via, to: e.to ?? "" });
  }
  return out;
}

const sentRefs = (events: readonly RequestEvent[]): Set<string> =>
  new Set(events.flatMap((e) => (e.kind === "message_sent" ? [e.ref] : [])));

/** Answers an agent recorded that the outbox has not sent yet (oldest first). */
export function unsentMessages(
  r: Pick<GuichetRequest, "events">,
): Extract<RequestEvent, { kind: "message_out" }>[] {
  const sent = sentRefs(r.events);
  return sortEvents(r.events).flatMap((e) => (e.kind === "message_out" && !sent.has(e.id) ? [e] : []));
}

/** Events that show an agent has dealt with the request since a message came in. */
const AGENT_ACTIONS = new Set<RequestEvent["kind"]>([
  "message_out",
  "status",
  "note",
  "assigned",
  "demarche_chosen",
]);

/**
 * True when the citizen's latest mail came after every agent action: the request is flagged in
 * its queue until someone answers, notes or moves it.
 */
export function hasNewMessage(r: Pick<GuichetRequest, "events">): boolean {
  let flagged = false;
  for (const e of sortEvents(r.events)) {
    if (e.kind === "message_in") flagged = true;
    else if (AGENT_ACTIONS.has(e.kind)) flagged = false;
  }
  return flagged;
}

/** "Re: " once, whatever the citizen's client added before. */
export function replySubject(subject: string): string {
  const bare = subject.replace(/^\s*((re|tr|fwd?)\s*:\s*)+/i, "").trim();
  return `Re: ${bare || "votre demande"}`.slice(0, 200);
}
