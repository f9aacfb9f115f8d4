import type { AttachmentMeta } from "../../../domain/request";
import type { LocalData } from "./local-database";
import { randomId } from "./random-id";

export const ATTACHMENT_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
export const MAX_ATTACHMENTS = 10;

export type PendingAttachment = { meta: AttachmentMeta; data: string };

export type AttachmentCheck = { ok: true } | { ok: false; reason: "type" | "size" };

export function checkAttachment(file: { type: string; size: number }): AttachmentCheck {
  if (!(ATTACHMENT_TYPES as readonly string[]).includes(file.type)) return { ok: false, reason: "type" };
  if (file.size < 1 || file.size > MAX_ATTACHMENT_BYTES) return { ok: false, reason: "size" };
  return { ok: true };
}

/** Metadata (with its SHA-256, for the later upload) and the bytes as base64, ready to keep locally. */
export async function readAttachment(file: File): Promise<PendingAttachment> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const sha256 = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  return {
    meta: {
      id: randomId(16),
      name: withoutControlChars(file.name).slice(0, 200) || "piece-jointe",
      mime: file.type as AttachmentMeta["mime"],
      size: file.size,
      sha256,
    },
    data: toBase64(bytes),
  };
}

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

/** Kept on this workstation until upload exists (a later issue). */
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

/** The domain refuses control characters in a name (they could inject mail headers). */
function withoutControlChars(name: string): string {
  return [...name].filter((c) => c.charCodeAt(0) > 0x1f && c.charCodeAt(0) !== 0x7f).join("");
}
