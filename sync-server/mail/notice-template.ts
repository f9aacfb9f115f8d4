import type { Commune } from "../../domain/commune";
import { type Notice, noticeText } from "../../domain/notices";
import { html } from "../http/html";
import type { RenderedMail } from "./templates";

/**
 * A notice (domain/notices.ts) as an email: plain text and HTML, every value escaped (an agent's
 * answer or a forwarding administration typed at the counter arrive as text), the commune's
 * identity at the foot.
 */
export function noticeMail(
  notice: Notice,
  commune: Commune,
  opts: { repliesWelcome?: boolean } = {},
): RenderedMail {
  const replyLine = opts.repliesWelcome
    ? "Pour nous écrire au sujet de cette demande, répondez simplement à ce message."
    : "Ce message a été envoyé automatiquement : merci de ne pas y répondre.";
  const identity = [
    commune.name,
    commune.address,
    `Téléphone : ${commune.phone} – Courriel : ${commune.email}`,
  ];
  const text = `${noticeText(notice)}\n--\n${identity.join("\n")}\n\n${replyLine}\n`;
  const body = html`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${notice.subject}</title></head>
<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#161616;max-width:40em">
<p>${commune.name}</p>
<p>Madame, Monsieur,</p>
${notice.paragraphs.map(
  (p) => html`<p style="white-space:pre-line">${p}</p>
`,
)}<p style="font-size:14px;color:#3a3a3a">${identity.map((l) => html`${l}<br>`)}</p>
<p style="font-size:14px;color:#3a3a3a">${replyLine}</p>
</body></html>`;
  return { subject: notice.subject.slice(0, 250), text, html: body.value };
}
