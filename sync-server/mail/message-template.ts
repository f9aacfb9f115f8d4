import type { Commune } from "../../domain/commune";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { html } from "../http/html";
import type { RenderedMail } from "./templates";

/**
 * An agent's answer as an email: the agent's text as typed (escaped in the HTML part), the
 * tracking number in the subject and the footer, so that the citizen's reply finds its request
 * even from a mail client that drops the headers.
 */
export function agentMessageMail(
  m: { subject: string; text: string; tracking: string },
  commune: Commune,
  followUpUrl: string,
): RenderedMail {
  const number = formatTrackingNumber(m.tracking);
  const subject = m.subject.includes(number) ? m.subject : `${m.subject} – demande n° ${number}`;
  const footer = [
    `Demande n° ${number}. Pour nous répondre, répondez simplement à ce message.`,
    `Suivre votre demande : ${followUpUrl}`,
    "",
    commune.name,
    commune.address,
  ].join("\n");
  const text = `${m.text}\n\n--\n${footer}\n`;
  const body = html`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${subject}</title></head>
<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#161616;max-width:40em">
${m.text.split(/\n{2,}/).map(
  (p) => html`<p style="white-space:pre-line">${p}</p>
`,
)}<hr>
<p style="font-size:14px;color:#3a3a3a">Demande n° <strong>${number}</strong>. Pour nous répondre, répondez simplement à ce message.<br>
Suivre votre demande : <a href="${followUpUrl}">${followUpUrl}</a></p>
<p style="font-size:14px;color:#3a3a3a">${commune.name}<br>${commune.address}</p>
</body></html>`;
  return { subject: subject.slice(0, 250), text, html: body.value };
}
