import fc from "fast-check";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import { buildMime, type MimeMail, quotedPrintable } from "./mime";

const mail = (over: Partial<MimeMail> = {}): MimeMail => ({
  from: { name: "Mairie de Démo-sur-Loire", address: "ne-pas-repondre@demo.example" },
  to: { name: "Léa Martin", address: "lea.martin@example.org" },
  subject: "Accusé de réception électronique – demande n° K7M00042 – Démo-sur-Loire",
  text: "Madame, Monsieur,\n\nVotre demande n° K7M00042 a été reçue le 6 décembre.\nSuivre : https://demo.example/c/demo/suivi\n",
  html: '<p>Madame, Monsieur,</p>\n<p><a href="https://demo.example/suivi?x=1&amp;y=2">suivi</a> é</p>',
  messageId: "<ar.K7M00042.demo@demo.example>",
  headers: { "Auto-Submitted": "auto-generated", "Content-Language": "fr" },
  ...over,
});

const headLines = (raw: string): string[] =>
  (raw.split("\r\n\r\n")[0] ?? "").replace(/\r\n[ \t]+/g, " ").split("\r\n");

describe("MIME of an outgoing mail", () => {
  it("reads back with a mail parser exactly as written: names, subject, both bodies, threading headers", async () => {
    const built = buildMime(
      mail({ replyTo: "mairie+K7M00042@demo.example", inReplyTo: "<question-1@example.org>" }),
    );
    const parsed = await simpleParser(built.raw);
    expect(parsed.subject).toBe(mail().subject);
    expect(parsed.from?.value).toEqual([
      { name: "Mairie de Démo-sur-Loire", address: "ne-pas-repondre@demo.example" },
    ]);
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : []).toEqual([
      { name: "Léa Martin", address: "lea.martin@example.org" },
    ]);
    expect(parsed.text?.replace(/\n$/, "")).toBe(mail().text.replace(/\n$/, ""));
    expect(parsed.html).toBe(mail().html);
    expect(parsed.messageId).toBe("<ar.K7M00042.demo@demo.example>");
    expect(parsed.replyTo?.value[0]?.address).toBe("mairie+K7M00042@demo.example");
    expect(parsed.inReplyTo).toBe("<question-1@example.org>");
    expect(parsed.headers.get("auto-submitted")).toBe("auto-generated");
    expect(parsed.headers.get("content-language")).toBe("fr");
    expect(built.to).toBe("lea.martin@example.org");
    expect(built.from).toBe("ne-pas-repondre@demo.example");
    // Links stay greppable in the raw message (short lines are not broken).
    expect(built.raw).toContain("https://demo.example/c/demo/suivi");
  });

  it("keeps a name that tries to add a header on its own line, and the one recipient", async () => {
    const built = buildMime(
      mail({
        to: { name: 'Martin\r\nBcc: victime@example.org\r\n"x', address: "lea.martin@example.org" },
        subject: "Objet\nBcc: victime@example.org",
      }),
    );
    const names = headLines(built.raw).map((l) => l.slice(0, l.indexOf(":")).toLowerCase());
    expect(names).not.toContain("bcc");
    expect(names.filter((n) => n === "to")).toHaveLength(1);
    const parsed = await simpleParser(built.raw);
    expect(parsed.bcc).toBeUndefined();
    expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value.map((a) => a.address) : []).toEqual([
      "lea.martin@example.org",
    ]);
  });

  it("refuses an address that is not one plain mailbox", () => {
    for (const address of ["a@b.fr, c@d.fr", "<a@b.fr>", "a b@c.fr", "sans-arobase", "a@b@c.fr"]) {
      expect(() => buildMime(mail({ to: { name: "X", address } })), address).toThrow(/Adresse/);
    }
  });

  it("round-trips any text through quoted-printable with body lines of at most 76 characters", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "grapheme", maxLength: 400 }), async (s) => {
        const text = s.replace(/\r/g, "");
        const built = buildMime(mail({ text, html: `<p>${text}</p>` }));
        const body = built.raw.slice(built.raw.indexOf("\r\n\r\n"));
        for (const line of body.split("\r\n")) expect(line.length).toBeLessThanOrEqual(76);
        const parsed = await simpleParser(built.raw);
        expect(parsed.html).toBe(`<p>${text}</p>`);
      }),
      { numRuns: 200 },
    );
  });

  it("escapes '=', bytes outside printable ASCII and a blank at the end of a line", () => {
    expect(quotedPrintable("a=b é \nfin\t")).toBe("a=3Db =C3=A9=20\r\nfin=09");
    const long = quotedPrintable("x".repeat(200));
    expect(long.split("\r\n").map((l) => l.length)).toEqual([76, 76, 50]);
  });
});
