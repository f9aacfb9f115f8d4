import type { Acknowledgement } from "../../domain/acknowledgement";
import { acknowledgementText } from "../../domain/acknowledgement";
import type { Commune } from "../../domain/commune";
import { html } from "../http/html";

export type RenderedMail = { subject: string; text: string; html: string };

/**
 * An acknowledgement (accusé de réception or d'enregistrement) as an email: plain text (the
 * domain's own rendering) and HTML (every value escaped by the `html` template, so a name like
 * `<script>` arrives as text). The subject holds no citizen text. The mairie's identity is the
 * AR's own letterhead (never a placeholder: the builder refuses one); the demo commune's mails say
 * they are worthless, in the subject and on top of the body.
 */
export function acknowledgementMail(
  ack: Acknowledgement,
  commune: Commune,
  followUpUrl: string,
  /** The email door is open: the citizen may answer this mail (else « merci de ne pas y répondre »). */
  opts: { repliesWelcome?: boolean } = {},
): RenderedMail {
  const replyLine = opts.repliesWelcome
    ? "Pour compléter votre demande, répondez simplement à ce message."
    : "Ce message a été envoyé automatiquement : merci de ne pas y répondre.";
  const demo = ack.demo ? ` – ${ack.demo}` : "";
  const subject = `${ack.title} – demande n° ${ack.trackingNumber} – ${commune.name}${demo}`;
  const footer = [
    `Suivre votre demande : ${followUpUrl} (munissez-vous du numéro ${ack.trackingNumber} et de cette adresse électronique).`,
    "",
    ...ack.letterhead,
    "",
    replyLine,
  ].join("\n");
  const text = `Madame, Monsieur,\n\n${acknowledgementText(ack)}\n${footer}\n`;
  const body = html`<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>${ack.title}</title></head>
<body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.5;color:#161616;max-width:40em">
${
  ack.demo
    ? html`<p style="font-weight:bold;color:#b00000;border:2px solid #b00000;padding:4px 8px">${ack.demo}</p>
`
    : ""
}<p>${commune.name}</p>
<h1 style="font-size:20px">${ack.title}</h1>
<p>Madame, Monsieur,</p>
<table role="presentation" style="border-collapse:collapse">
${ack.lines.map(
  (
    l,
  ) => html`<tr><th scope="row" style="text-align:left;vertical-align:top;padding:2px 12px 2px 0">${l.label}</th><td style="padding:2px 0">${l.value}</td></tr>
`,
)}</table>
${ack.paragraphs.map(
  (p) => html`<p>${p}</p>
`,
)}<p>Suivre votre demande : <a href="${followUpUrl}">${followUpUrl}</a> (munissez-vous du numéro <strong>${ack.trackingNumber}</strong> et de cette adresse électronique).</p>
<p style="font-size:14px;color:#3a3a3a">${ack.letterhead.map((line, i) => (i === 0 ? html`${line}` : html`<br>${line}`))}</p>
<p style="font-size:14px;color:#3a3a3a">${replyLine}</p>
</body></html>`;
  return { subject, text, html: body.value };
}
