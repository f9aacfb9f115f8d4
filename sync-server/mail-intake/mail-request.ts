import { createHash } from "node:crypto";
import { sniffFileType } from "../../domain/file-type";
import { type AttachmentMeta, type Citizen, MESSAGE_TEXT_MAX } from "../../domain/request";
import { replaceControlChars } from "../http/control-chars";
import { formatSize } from "../http/errors";
import { type AttachmentMime, cleanFileName } from "../services/attachment-store";
import { MAX_FILE_BYTES, MAX_FILES } from "../services/submission-schema";
import type { IncomingMail } from "./parse-mail";

export type CheckedFile = AttachmentMeta & { data: Buffer };

/** A one-line header value as a request may hold it: no control character (header injection). */
export function oneLine(s: string, max: number): string {
  return replaceControlChars(s, " ").replace(/\s+/g, " ").trim().slice(0, max);
}

/**
 * The body as text: line breaks kept, every other control character out, cut at `max` with a
 * note saying so (the whole message stays in the mailbox's « traités » folder).
 */
export function bodyText(text: string, max = MESSAGE_TEXT_MAX): string {
  const clean = text
    .replace(/\r\n?/g, "\n")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point.
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (clean.length <= max) return clean;
  const note = `\n[…] Message tronqué (${clean.length} caractères) : le texte complet est dans la boîte de la mairie.`;
  return clean.slice(0, max - note.length) + note;
}

/** The sender as a citizen: « Prénom Nom » (or « NOM Prénom »), else the address's local part. */
export function citizenFrom(from: { address: string; name: string }): Citizen {
  const words = oneLine(from.name, 160)
    .replace(/^["']|["']$/g, "")
    .split(" ")
    .filter(Boolean);
  const email = from.address.trim().toLowerCase();
  if (words.length >= 2) {
    const capsFirst =
      (words[0] as string) === (words[0] as string).toUpperCase() && /\p{L}/u.test(words[0] as string);
    const lastName = capsFirst ? (words[0] as string) : (words[words.length - 1] as string);
    const firstName = capsFirst ? words.slice(1).join(" ") : words.slice(0, -1).join(" ");
    return { firstName: firstName.slice(0, 80), lastName: lastName.slice(0, 80), email };
  }
  const single = words[0] ?? email.split("@")[0] ?? "";
  return { firstName: "—", lastName: oneLine(single, 80) || "—", email };
}

/**
 * The attachments a request keeps, with the portal's checks (type by content, size, count), or
 * the reason the message needs an agent. Images embedded in an HTML body (logos, signatures)
 * are not attachments: they are counted in `skipped`, and the text says so.
 */
export function checkAttachments(
  mail: IncomingMail,
): { ok: true; files: CheckedFile[]; skipped: number } | { ok: false; reason: string } {
  const files: CheckedFile[] = [];
  let skipped = 0;
  for (const a of mail.attachments) {
    const mime = sniffFileType(a.data);
    if (a.inline && a.contentType.startsWith("image/")) {
      skipped += 1;
      continue;
    }
    const name = oneLine(a.name, 200) || "piece-jointe";
    if (a.data.length > MAX_FILE_BYTES)
      return {
        ok: false,
        reason: `Pièce jointe « ${name} » trop volumineuse (${formatSize(a.data.length)}, ${formatSize(MAX_FILE_BYTES)} au maximum).`,
      };
    if (!mime)
      return {
        ok: false,
        reason: `Pièce jointe « ${name} » : seuls les formats PDF, JPEG et PNG sont acceptés (${oneLine(a.contentType, 60)}).`,
      };
    files.push(fileMeta(a.data, name, mime));
  }
  if (files.length > MAX_FILES)
    return { ok: false, reason: `${files.length} pièces jointes : ${MAX_FILES} au maximum par demande.` };
  return { ok: true, files, skipped };
}

function fileMeta(data: Buffer, name: string, mime: AttachmentMime): CheckedFile {
  const sha256 = createHash("sha256").update(data).digest("hex");
  return { id: sha256, name: cleanFileName(name, mime), mime, size: data.length, sha256, data };
}

export const withoutData = (files: CheckedFile[]): AttachmentMeta[] => files.map(({ data: _d, ...m }) => m);
