import { HttpError } from "../http/errors";
import { html } from "../http/html";
import { send, sendHtml } from "../http/respond";
import { Router } from "../http/router";
import { page } from "../portal/layout";
import type { ReceivedMail } from "./smtp-sink";

/** Development only: the messages the local SMTP sink received, as the citizen would get them. */
export function inboxRouter(messages: () => ReceivedMail[]): Router {
  const r = new Router();
  const find = (n: string | undefined) => {
    const m = messages().find((x) => String(x.n) === n);
    if (!m) throw new HttpError(404, "Message introuvable.");
    return m;
  };

  r.get("/dev/inbox", (ctx) => {
    const list = [...messages()].reverse();
    const body = html`<h1>Boîte de réception de développement</h1>
<p>Les courriels envoyés par le serveur (serveur SMTP local, aucun message ne part sur Internet). ${list.length} message(s).</p>
<ul class="liste">${list.map(
      (m) =>
        html`<li><a href="/dev/inbox/${m.n}">${m.subject}</a><br>À : ${m.to.join(", ")} – ${new Date(m.date).toLocaleString("fr-FR", { timeZone: "Europe/Paris" })}</li>`,
    )}</ul>`;
    sendHtml(ctx.res, 200, page({ title: "Boîte de réception", commune: "Guichet (développement)", body }));
  });

  r.get("/dev/inbox/:n", (ctx) => {
    const m = find(ctx.params.n);
    const body = html`<h1>${m.subject}</h1>
<dl><dt>De</dt><dd>${m.from}</dd><dt>À</dt><dd>${m.to.join(", ")}</dd><dt>Message-ID</dt><dd>${m.messageId}</dd></dl>
<p><a href="/dev/inbox/${m.n}/html">Voir la version HTML</a> · <a href="/dev/inbox">Retour à la boîte</a></p>
<h2>Version texte</h2>
<pre>${m.text}</pre>`;
    sendHtml(ctx.res, 200, page({ title: m.subject, commune: "Guichet (développement)", body }));
  });

  r.get("/dev/inbox/:n/html", (ctx) => {
    const m = find(ctx.params.n);
    // The message's own HTML, in a sandbox: no script, no form, no request anywhere.
    ctx.res.setHeader(
      "Content-Security-Policy",
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox",
    );
    send(ctx.res, 200, "text/html; charset=utf-8", m.html || "<p>(pas de version HTML)</p>");
  });

  return r;
}
