import type { IncomingMessage } from "node:http";
import { promisify } from "node:util";
import { gunzip, inflate } from "node:zlib";
import { GatewayRefusal } from "./refusal";

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** Declared length above the limit: refused before a byte is read. */
export function checkDeclaredLength(req: IncomingMessage, maxBytes: number): void {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) throw tooLarge(maxBytes);
}

/** Reads the whole body (at most `maxBytes`, also once decompressed). */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  checkDeclaredLength(req, maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const raw = Buffer.concat(chunks);
  const encoding = (req.headers["content-encoding"] ?? "identity").toLowerCase();
  try {
    if (encoding === "gzip") return await gunzipAsync(raw, { maxOutputLength: maxBytes });
    if (encoding === "deflate") return await inflateAsync(raw, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(maxBytes);
    throw new GatewayRefusal(400, "bad_request", "Corps compressé illisible.");
  }
  if (encoding !== "identity") {
    throw new GatewayRefusal(415, "bad_content_type", `Encodage ${encoding} non pris en charge.`);
  }
  return raw;
}

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new GatewayRefusal(400, "bad_request", "invalid_json");
  }
}

/** `POST /_session` accepts JSON or a form, as CouchDB does. */
export function parseLoginBody(req: IncomingMessage, body: Buffer): Record<string, unknown> {
  const type = req.headers["content-type"] ?? "";
  if (type.includes("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(body.toString("utf8")));
  }
  const parsed = parseJson(body);
  return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
}

/**
 * Hands an already-read body to express-pouchdb: its body-parser skips requests marked `_body`,
 * so the body is parsed once, here.
 */
export function attachParsedBody(req: IncomingMessage, body: unknown): void {
  Object.assign(req, { body, _body: true });
}

export function tooLarge(maxBytes: number): GatewayRefusal {
  return new GatewayRefusal(
    413,
    "too_large",
    `Requête trop volumineuse (au plus ${Math.round(maxBytes / 1024)} Kio).`,
  );
}
