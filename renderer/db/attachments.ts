import { sniffFileType } from "../../domain/file-type";
import type { AttachmentMeta } from "../../domain/request";
import type { LocalData } from "./local-database";
import { randomId } from "./random-id";

export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;

export type PendingAttachment = { meta: AttachmentMeta; data: string };

export type AttachmentRead = { ok: true; file: PendingAttachment } | { ok: false; reason: "type" | "size" };

/**
 * Metadata (with its SHA-256, which the server checks on upload) and the bytes as base64, ready to
 * keep locally. The type is read from the content, not from the name's extension.
 */
export async function readAttachment(file: File): Promise<AttachmentRead> {
  if (file.size < 1 || file.size > MAX_ATTACHMENT_BYTES) return { ok: false, reason: "size" };
  const bytes = new Uint8Array(await file.arrayBuffer());
  const mime = sniffFileType(bytes);
  if (!mime) return { ok: false, reason: "type" };
  const sha256 = await sha256Hex(bytes);
  return {
    ok: true,
    file: {
      meta: {
        id: randomId(16),
        name: withoutControlChars(file.name).slice(0, 200) || "piece-jointe",
        mime,
        size: bytes.length,
        sha256,
      },
      data: toBase64(bytes),
    },
  };
}

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Kept on this workstation until the server holds them (renderer/sync/attachment-upload.ts). */
export async function storeAttachments(
  data: LocalData,
  requestId: string,
  files: PendingAttachment[],
): Promise<void> {
  if (files.length === 0) return;
  await data.local.attachment_files.bulkInsert(
    files.map((f) => ({ id: f.meta.id, requestId, mime: f.meta.mime, data: f.data })),
  );
}

export async function localAttachmentIds(data: LocalData, requestId: string): Promise<Set<string>> {
  const docs = await data.local.attachment_files.find({ selector: { requestId: { $eq: requestId } } }).exec();
  return new Set(docs.map((d) => d.id));
}

/** The bytes still waiting on this workstation, or null once sent to the server. */
export async function localAttachmentBlob(data: LocalData, id: string, mime: string): Promise<Blob | null> {
  const doc = await data.local.attachment_files.findOne(id).exec();
  if (!doc?.data) return null;
  return new Blob([fromBase64(doc.data) as BlobPart], { type: mime });
}

export function fromBase64(data: string): Uint8Array {
  const bin = atob(data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The fingerprint the request declares and the server checks. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The domain refuses control characters in a name (they could inject mail headers). */
function withoutControlChars(name: string): string {
  return [...name].filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f).join("");
}
