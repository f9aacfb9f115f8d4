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

/** What the built counter app is made of (Vite's output); anything else is served as bytes. */
const SERVED_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  json: "application/json; charset=utf-8",
  map: "application/json; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  ico: "image/x-icon",
  woff: "font/woff",
  woff2: "font/woff2",
  ttf: "font/ttf",
  txt: "text/plain; charset=utf-8",
  wasm: "application/wasm",
  webmanifest: "application/manifest+json",
};

/** The Content-Type a file of the built app is served with, from its name (nosniff keeps the rest inert). */
export function servedContentType(fileName: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? "";
  return Object.hasOwn(SERVED_TYPES, ext) ? (SERVED_TYPES[ext] as string) : "application/octet-stream";
}
