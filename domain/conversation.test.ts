import { describe, expect, it } from "vitest";
import { conversation, hasNewMessage, replySubject, unsentMessages } from "./conversation";
import { scrubEvent, withEvents } from "./history";
import { type RequestEvent, requestSchema } from "./request";
import { buildRequest, ev, eventId } from "./test-fixtures";

const SERVER = { by: "guichet-server", workstation: "W3S" };

const messageIn = (at: string, text = "Voici la pièce demandée."): RequestEvent => ({
  id: eventId(at, "W3M"),
  at,
  by: SERVER.by,
  workstation: "W3M",
  kind: "message_in",
  messageId: `<${at}@exemple.fr>`,
  from: "camille@exemple.fr",
  subject: "Re: votre demande",
  text,
  attachments: [],
});

const messageOut = (at: string, text = "Merci, nous examinons votre demande."): RequestEvent => ({
  id: eventId(at, "K7M"),
  at,
  by: "agent.dupont",
  workstation: "K7M",
  kind: "message_out",
  to: "camille@exemple.fr",
  subject: "Re: votre demande",
  text,
});

const sentOf = (ref: string, at: string): RequestEvent => ({
  id: eventId(at, "W3S"),
  at,
  by: SERVER.by,
  workstation: "W3S",
  kind: "message_sent",
  ref,
  to: "camille@exemple.fr",
});

describe("conversation", () => {
  it("lists mails in, answers out and accusés in time order, whatever the order they were added", () => {
    const out = messageOut("2026-03-13T09:00:00.000Z");
    const r = withEvents(buildRequest("demande_generale"), [
      sentOf(out.id, "2026-03-13T09:00:05.000Z"),
      messageIn("2026-03-14T10:00:00.000Z"),
      out,
      ev.registrationSent("2026-03-12T08:31:00.000Z", "camille@exemple.fr", SERVER),
      ev.arSent("2026-03-12T09:00:00.000Z", "print"),
    ]);
    expect(requestSchema.safeParse(r).success).toBe(true);
    const c = conversation(r);
    expect(c.map((e) => e.kind)).toEqual(["ack", "ack", "out", "in"]);
    expect(c[2]).toMatchObject({ kind: "out", sent: true });
    expect(c[1]).toMatchObject({ kind: "ack", what: "ar", via: "print" });
  });

  it("shows an answer as waiting until the outbox records it as sent", () => {
    const out = messageOut("2026-03-13T09:00:00.000Z");
    const r = withEvents(buildRequest("demande_generale"), [out]);
    expect(conversation(r)[0]).toMatchObject({ kind: "out", sent: false });
    expect(unsentMessages(r).map((e) => e.id)).toEqual([out.id]);
    const done = withEvents(r, [sentOf(out.id, "2026-03-13T09:00:02.000Z")]);
    expect(unsentMessages(done)).toEqual([]);
  });
});

describe("hasNewMessage", () => {
  it("flags a request whose latest mail came after every agent action, until an agent acts", () => {
    const r = buildRequest("demande_generale");
    expect(hasNewMessage(r)).toBe(false);
    const withMail = withEvents(r, [messageIn("2026-03-14T10:00:00.000Z")]);
    expect(hasNewMessage(withMail)).toBe(true);
    expect(hasNewMessage(withEvents(withMail, [ev.note("2026-03-14T11:00:00.000Z", "Vu.")]))).toBe(false);
    expect(hasNewMessage(withEvents(withMail, [messageOut("2026-03-14T11:00:00.000Z")]))).toBe(false);
    // An accusé the server sends is no answer from an agent.
    const acked = withEvents(withMail, [ev.registrationSent("2026-03-14T10:01:00.000Z", "c@e.fr", SERVER)]);
    expect(hasNewMessage(acked)).toBe(true);
  });
});

describe("anonymisation of messages", () => {
  it("keeps the fact of a message but not its words, sender or files", () => {
    const e = { ...messageIn("2026-03-14T10:00:00.000Z", "Mon numéro fiscal est 123."), attachments: [] };
    const s = scrubEvent(e);
    expect(s).toMatchObject({ kind: "message_in", from: "", subject: "—", text: "—", attachments: [] });
    expect(
      JSON.stringify(scrubEvent(messageOut("2026-03-14T11:00:00.000Z", "Cher M. Martin"))),
    ).not.toContain("Martin");
  });
});

describe("replySubject", () => {
  it("adds a single Re: prefix", () => {
    expect(replySubject("Re: RE: Tr: Trottoir abîmé")).toBe("Re: Trottoir abîmé");
    expect(replySubject("")).toBe("Re: votre demande");
  });
});
