import MailComposer from "nodemailer/lib/mail-composer";
import { readForm } from "../http/body";
import { HttpError } from "../http/errors";
import { html } from "../http/html";
import { redirect, sendHtml } from "../http/respond";
import { Router } from "../http/router";
import { page } from "../portal/layout";
import type { MailDoor } from "./mail-door";

/**
 * Demo mode only: « écrire à la mairie ». The mail goes into the in-process mailbox and the
 * door's own code files it, as it would from the commune's IMAP server: a new user sees a mail
 * become a request (and its accusé arrive in /dev/inbox).
 */
export function demoMailboxRouter(door: MailDoor): Router {
  const r = new Router();
  const demo = door.demo;
  if (!demo) return r;
  const to = door.address ?? "mairie@demo.invalid";

  r.get("/dev/mairie", async (ctx) => {
    const sent = new URL(ctx.req.url ?? "/", "http://x").searchParams.get("envoye") === "1";
    const checks = await door.records.toCheck(20);
    const body = html`<h1>Écrire à la mairie (démonstration)</h1>
<p>Ce courriel arrive dans la boîte de la mairie (${to}) et devient une demande « courriel » dans la file à trier du guichet ; l'accusé d'enregistrement part aussitôt dans la <a href="/dev/inbox">boîte de réception de développement</a>. Répondez à un accusé en reprenant son numéro de demande dans l'objet pour voir la réponse rejoindre sa demande.</p>
${sent ? html`<p role="status"><strong>Courriel déposé dans la boîte de la mairie.</strong></p>` : ""}
<form method="post" action="/dev/mairie" enctype="multipart/form-data">
<p><label for="name">Votre nom</label><br><input id="name" name="name" value="Camille Martin" required></p>
<p><label for="email">Votre adresse électronique</label><br><input id="email" name="email" type="email" value="camille.martin@exemple.fr" required></p>
<p><label for="subject">Objet</label><br><input id="subject" name="subject" value="Lampadaire en panne rue des Écoles" required></p>
<p><label for="text">Message</label><br><textarea id="text" name="text" rows="6" required>Bonjour, le lampadaire devant le numéro 12 ne s'allume plus depuis une semaine. Merci.</textarea></p>
<p><label for="file">Pièce jointe (PDF, JPEG ou PNG, facultatif)</label><br><input id="file" name="file" type="file"></p>
<p><button type="submit">Envoyer à la mairie</button></p>
</form>
<h2>À vérifier (${checks.length})</h2>
<ul>${checks.map((c) => html`<li>${c.from || "(sans expéditeur)"} – ${c.subject || "(sans objet)"} : ${c.reason ?? ""}</li>`)}</ul>`;
    sendHtml(ctx.res, 200, page({ title: "Écrire à la mairie", commune: "Guichet (démonstration)", body }));
  });

  r.post("/dev/mairie", async (ctx) => {
    const form = await readForm(ctx.req, 6 * 1024 * 1024);
    const f = form.fields;
    if (!f.email || !f.text) throw new HttpError(422, "Indiquez au moins votre adresse et votre message.");
    const file = form.files.find((x) => x.data.length > 0);
    const raw = await new MailComposer({
      from: { name: f.name ?? "", address: f.email },
      to,
      subject: f.subject ?? "",
      text: f.text,
      ...(file ? { attachments: [{ filename: file.name, content: file.data, contentType: file.type }] } : {}),
    })
      .compile()
      .build();
    demo.deliver(raw);
    await door.intake.runOnce();
    redirect(ctx.res, "/dev/mairie?envoye=1");
  });
  return r;
}
