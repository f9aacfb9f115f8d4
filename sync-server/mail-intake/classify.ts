import { parseTrackingNumber } from "../../domain/tracking-number";
import type { IncomingMail } from "./parse-mail";

/**
 * Why a message is not a citizen writing to the mairie, or null: automatic replies (RFC 3834
 * Auto-Submitted, the usual X- headers), bounces (delivery reports, the null sender), mailing
 * lists and bulk mail, and what a spam filter upstream flagged. These go to « à vérifier ».
 */
export function automaticReason(mail: IncomingMail): string | null {
  const h = (name: string) => mail.header(name).trim().toLowerCase();
  const auto = h("auto-submitted");
  if (auto && auto !== "no") return `Réponse automatique (Auto-Submitted: ${auto.slice(0, 40)}).`;
  if (h("x-autoreply") || h("x-autorespond") || h("x-auto-response-suppress").includes("all"))
    return "Réponse automatique (absence, répondeur).";
  const type = mail.contentType.toLowerCase();
  if (type.startsWith("multipart/report") || h("return-path") === "<>")
    return "Avis de non-remise (message revenu en erreur).";
  const sender = mail.from?.address.toLowerCase() ?? "";
  if (/^(mailer-daemon|postmaster)@/.test(sender)) return "Avis de non-remise (message revenu en erreur).";
  if (h("x-spam-flag").startsWith("yes") || h("x-spam-status").startsWith("yes"))
    return "Marqué comme indésirable (spam) par le filtre de la messagerie.";
  if (h("list-id") || h("list-unsubscribe")) return "Message d'une liste de diffusion.";
  const precedence = h("precedence");
  if (["bulk", "junk", "list", "auto_reply"].includes(precedence))
    return `Envoi en nombre ou automatique (Precedence: ${precedence}).`;
  return null;
}

/**
 * The request a message answers, from what the mairie's own mails carry: a Message-ID
 * `<kind.TRACKING.commune@…>` in In-Reply-To/References, a reply address `boite+TRACKING@…`,
 * or the « n° XXXX-XXXX » of a subject. Only numbers with a valid check character count; the
 * caller still checks that the sender is the request's citizen.
 */
export function replyTarget(
  mail: IncomingMail,
  o: { commune: string; mailboxAddress?: string },
): string | null {
  for (const id of mail.inReplyTo) {
    const m = /^<[^.<>@\s]+\.([0-9A-Z]{8})\.([a-z0-9-]+)@/.exec(id);
    if (m?.[1] && m[2] === o.commune && valid(m[1])) return m[1];
  }
  const local = o.mailboxAddress?.split("@")[0]?.toLowerCase();
  if (local) {
    for (const r of mail.recipients) {
      const [user, domain] = r.toLowerCase().split("@");
      if (!user || !domain) continue;
      const plus = user.indexOf("+");
      if (plus > 0 && user.slice(0, plus) === local) {
        const tag = user.slice(plus + 1).toUpperCase();
        if (valid(tag)) return tag;
      }
    }
  }
  const inSubject = /n°\s*([0-9A-Za-z]{4}-?[0-9A-Za-z]{4})\b/.exec(mail.subject);
  if (inSubject?.[1]) {
    const parsed = parseTrackingNumber(inSubject[1]);
    if (parsed.ok) return parsed.compact;
  }
  return null;
}

const valid = (tracking: string): boolean => {
  const p = parseTrackingNumber(tracking);
  return p.ok && p.compact === tracking;
};
