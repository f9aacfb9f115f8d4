import { describe, expect, it } from "vitest";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { automaticReason, replyTarget } from "./classify";
import { bodyText, citizenFrom, oneLine } from "./mail-request";
import type { IncomingMail } from "./parse-mail";

const ID = makeTrackingNumber("W3M", 42);

function mail(over: Partial<IncomingMail> & { headers?: Record<string, string> } = {}): IncomingMail {
  const headers = Object.fromEntries(
    Object.entries(over.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  return {
    from: { address: "camille@citoyen.test", name: "Camille Martin" },
    recipients: ["mairie@ville.test"],
    subject: "Bonjour",
    text: "Texte",
    attachments: [],
    inReplyTo: [],
    contentType: "text/plain",
    ...over,
    header: (name) => headers[name.toLowerCase()] ?? "",
  };
}

describe("automaticReason", () => {
  it("lets a citizen's mail through", () => {
    expect(automaticReason(mail())).toBeNull();
    expect(automaticReason(mail({ headers: { "Auto-Submitted": "no" } }))).toBeNull();
  });

  it.each([
    [{ "Auto-Submitted": "auto-replied" }, /Réponse automatique/],
    [{ "X-Autoreply": "yes" }, /Réponse automatique/],
    [{ "Return-Path": "<>" }, /non-remise/],
    [{ "X-Spam-Flag": "YES" }, /indésirable/],
    [{ "X-Spam-Status": "Yes, score=9.1" }, /indésirable/],
    [{ "List-Id": "<annonces.example.org>" }, /liste de diffusion/],
    [{ Precedence: "bulk" }, /Envoi en nombre/],
  ])("sends %o to « à vérifier »", (headers, reason) => {
    expect(automaticReason(mail({ headers }))).toMatch(reason);
  });

  it("recognises a delivery report and the mailer daemon", () => {
    expect(automaticReason(mail({ contentType: "multipart/report; report-type=delivery-status" }))).toMatch(
      /non-remise/,
    );
    expect(automaticReason(mail({ from: { address: "MAILER-DAEMON@relais.test", name: "" } }))).toMatch(
      /non-remise/,
    );
  });
});

describe("replyTarget", () => {
  const o = { commune: "demo", mailboxAddress: "mairie@ville.test" };

  it("reads the request from the Message-ID the mairie gave its mail", () => {
    expect(replyTarget(mail({ inReplyTo: [`<ar.${ID}.demo@ville.test>`] }), o)).toBe(ID);
    expect(replyTarget(mail({ inReplyTo: [`<msg-abc-K7M-xyz.${ID}.demo@ville.test>`] }), o)).toBe(ID);
    // Another commune's mail, on a server serving several: not ours.
    expect(replyTarget(mail({ inReplyTo: [`<ar.${ID}.autre@ville.test>`] }), o)).toBeNull();
  });

  it("reads the plus-addressed reply address and the number in a subject", () => {
    expect(replyTarget(mail({ recipients: [`mairie+${ID.toLowerCase()}@ville.test`] }), o)).toBe(ID);
    const shown = `${ID.slice(0, 4)}-${ID.slice(4)}`;
    expect(replyTarget(mail({ subject: `Re: Accusé – demande n° ${shown}` }), o)).toBe(ID);
  });

  it("ignores numbers whose check character is wrong", () => {
    const wrong = `${ID.slice(0, 7)}${ID.endsWith("0") ? "1" : "0"}`;
    expect(replyTarget(mail({ inReplyTo: [`<ar.${wrong}.demo@ville.test>`] }), o)).toBeNull();
    expect(replyTarget(mail({ recipients: [`mairie+${wrong}@ville.test`] }), o)).toBeNull();
    expect(replyTarget(mail({ subject: `n° ${wrong}` }), o)).toBeNull();
  });
});

describe("what a mail becomes", () => {
  it("takes the sender's name as first and last name, « NOM Prénom » included", () => {
    expect(citizenFrom({ address: "C.Martin@X.test", name: "Camille Martin" })).toEqual({
      firstName: "Camille",
      lastName: "Martin",
      email: "c.martin@x.test",
    });
    expect(citizenFrom({ address: "a@b.test", name: "DUPONT Jean-Pierre" })).toMatchObject({
      firstName: "Jean-Pierre",
      lastName: "DUPONT",
    });
    expect(citizenFrom({ address: "leo@b.test", name: "" })).toMatchObject({
      firstName: "—",
      lastName: "leo",
    });
  });

  it("keeps one-line values free of line breaks (header injection)", () => {
    expect(oneLine("Bonjour\r\nBcc: x@y.test", 200)).toBe("Bonjour Bcc: x@y.test");
  });

  it("cuts a long body and says so", () => {
    const t = bodyText("a".repeat(10_000), 4000);
    expect(t.length).toBeLessThanOrEqual(4000);
    expect(t).toMatch(/Message tronqué \(10000 caractères\)/);
    expect(bodyText("x\u0000y\r\nz")).toBe("xy\nz");
  });
});
