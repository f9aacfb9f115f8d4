import type { AttachmentMeta } from "./request";

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * What the bytes are, from their signature: neither the file name nor the type a browser derives
 * from it is trusted (a scan saved as ".png" may well be a JPEG). The counter and the server agree.
 */
export function sniffFileType(data: Uint8Array): AttachmentMeta["mime"] | null {
  if (data.length >= 5 && String.fromCharCode(...data.subarray(0, 5)) === "%PDF-") return "application/pdf";
  if (data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return "image/jpeg";
  if (data.length >= 8 && PNG.every((b, i) => data[i] === b)) return "image/png";
  return null;
}
