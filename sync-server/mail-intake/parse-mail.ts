import { type AddressObject, type HeaderValue, simpleParser } from "mailparser";

/** What the intake reads from a raw message; every text still untrusted (see mail-request.ts). */
export type IncomingMail = {
  messageId?: string;
  from?: { address: string; name: string };
  /** Addresses the message was sent to (To, Cc, Delivered-To, X-Original-To): plus-addressing. */
  recipients: string[];
  subject: string;
  text: string;
  attachments: { name: string; data: Buffer; contentType: string; inline: boolean }[];
  /** Message-IDs this one answers (In-Reply-To, then References). */
  inReplyTo: string[];
  /** Lowercase header name → its raw value(s), for the automatic-mail checks. */
  header: (name: string) => string;
  contentType: string;
};

/**
 * mailparser over one message. HTML is never kept: the text part, or the text mailparser derives
 * from the HTML (no script or style survives that), is what a request and a history show.
 */
export async function parseMail(source: Buffer): Promise<IncomingMail> {
  const m = await simpleParser(source, {
    skipImageLinks: true,
    skipTextToHtml: true,
    maxHtmlLengthToParse: 2_000_000,
  });
  const from = firstAddress(m.from);
  const raw = new Map<string, string[]>();
  for (const h of m.headerLines) {
    const list = raw.get(h.key) ?? [];
    list.push(h.line.slice(h.line.indexOf(":") + 1).trim());
    raw.set(h.key, list);
  }
  const recipients = [
    ...addresses(m.to),
    ...addresses(m.cc),
    ...(raw.get("delivered-to") ?? []),
    ...(raw.get("x-original-to") ?? []),
  ];
  const refs = [m.inReplyTo, ...(Array.isArray(m.references) ? m.references : [m.references])];
  return {
    ...(m.messageId ? { messageId: m.messageId } : {}),
    ...(from ? { from } : {}),
    recipients,
    subject: m.subject ?? "",
    text: m.text ?? "",
    attachments: m.attachments.map((a) => ({
      name: a.filename ?? "piece-jointe",
      data: a.content,
      contentType: a.contentType,
      inline: a.contentDisposition === "inline" || a.related === true,
    })),
    inReplyTo: refs.flatMap((r) => (typeof r === "string" ? (r.match(/<[^<>\s]+>/g) ?? [r]) : [])),
    header: (name) => (raw.get(name.toLowerCase()) ?? []).join(", "),
    contentType: headerText(m.headers.get("content-type")),
  };
}

function headerText(v: HeaderValue | undefined): string {
  if (!v) return "";
  if (typeof v === "string") return v;
  if (typeof v === "object" && "value" in v && typeof v.value === "string") {
    const params = "params" in v && v.params ? Object.entries(v.params).map(([k, p]) => `; ${k}=${p}`) : [];
    return `${v.value}${params.join("")}`;
  }
  return "";
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  return list.flatMap((o) => o.value.flatMap((v) => (v.address ? [v.address] : [])));
}

function firstAddress(a: AddressObject | undefined): { address: string; name: string } | undefined {
  const v = a?.value.find((x) => x.address);
  return v?.address ? { address: v.address, name: v.name ?? "" } : undefined;
}
