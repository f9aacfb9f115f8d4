import type { AttachmentMeta, GuichetRequest } from "../../domain/request";

/**
 * Photos are shown through Open311 (`media_url`) only after a member of staff checked them
 * (no face, plate or personal data) and recorded it as a `media_published` event; the request
 * must still hold the file (anonymisation removes it, and with it the URL).
 */
export function publishedPhoto(
  doc: Pick<GuichetRequest, "events" | "attachments" | "anonymised">,
): AttachmentMeta | undefined {
  if (doc.anonymised) return undefined;
  const published = doc.events
    .filter((e) => e.kind === "media_published")
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  for (const e of published) {
    const file = doc.attachments.find((a) => a.sha256 === e.sha256 && a.mime.startsWith("image/"));
    if (file) return file;
  }
  return undefined;
}

const extensionOf = (mime: AttachmentMeta["mime"]): string => (mime === "image/png" ? "png" : "jpg");

/** The public address of that photo: commune, request and content hash, nothing guessable. */
export function mediaPath(communeId: string, requestId: string, file: AttachmentMeta): string {
  return `/open311/v2/media/${communeId}/${requestId}/${file.sha256}.${extensionOf(file.mime)}`;
}
