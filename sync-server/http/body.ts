import type { IncomingMessage } from "node:http";
import { badRequest, HttpError, payloadTooLarge, unsupportedMediaType } from "./errors";

/** Media type of a request, lowercased, without parameters ("" when absent). */
export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** 415 unless the request's media type is one of `accepted`. */
export function requireMediaType(req: IncomingMessage, accepted: readonly string[]): string {
  const type = mediaType(req);
  if (!accepted.includes(type)) throw unsupportedMediaType(accepted);
  return type;
}

/**
 * Reads the whole body, refusing it past `limit` bytes: early from Content-Length, otherwise as
 * soon as the stream goes over (the socket is then closed, the rest is never buffered).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(payloadTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err: Error | null, body?: Buffer) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (err) reject(err);
      else resolve(body ?? Buffer.alloc(0));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.resume();
        finish(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(null, Buffer.concat(chunks, size));
    const onError = () => finish(new HttpError(400, "Envoi interrompu."));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/** JSON body, or a 400 in French; never a 500 for what the client sent. */
export function parseJson(body: Buffer): unknown {
  if (body.length === 0) throw badRequest("Le corps de la requête est vide : envoyez un objet JSON.");
  const text = body.toString("utf8");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest("Le corps de la requête n'est pas du JSON valide.");
  }
  // An escape can carry half of a UTF-16 pair ("\ud83d" alone), which no UTF-8 text can hold:
  // CouchDB would refuse the whole grouped write ("invalid UTF-8 JSON"), other citizens' too.
  if (SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(value)) {
    throw badRequest("Le corps de la requête contient un caractère invalide (demi-paire UTF-16).");
  }
  return value;
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Any string (value or member name) with a lone surrogate; iterative, JSON may nest deep. */
function hasLoneSurrogate(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") {
      if (LONE_SURROGATE.test(v)) return true;
    } else if (Array.isArray(v)) {
      for (const child of v) stack.push(child);
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        if (LONE_SURROGATE.test(k)) return true;
        stack.push(child);
      }
    }
  }
  return false;
}

/**
 * application/x-www-form-urlencoded into a plain object: the first value of each name wins,
 * so a repeated field cannot smuggle an array into a string-only schema.
 */
export function parseUrlEncoded(body: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body.toString("utf8"))) if (!(k in out)) out[k] = v;
  return out;
}

export type UploadedFile = { field: string; name: string; type: string; data: Buffer };
export type FormBody = { fields: Record<string, string>; files: UploadedFile[] };

/** multipart/form-data through the WHATWG parser Node ships (undici), after the size check. */
export async function parseMultipart(body: Buffer, contentType: string): Promise<FormBody> {
  let form: FormData;
  try {
    form = await new Response(new Uint8Array(body) as Uint8Array<ArrayBuffer>, {
      headers: { "content-type": contentType },
    }).formData();
  } catch {
    throw badRequest("Formulaire illisible : renvoyez-le depuis la page du formulaire.");
  }
  const fields: Record<string, string> = {};
  const files: UploadedFile[] = [];
  for (const [name, value] of form.entries()) {
    if (typeof value === "string") {
      if (!(name in fields)) fields[name] = value;
    } else if (value.size > 0) {
      files.push({
        field: name,
        name: value.name,
        type: value.type,
        data: Buffer.from(await value.arrayBuffer()),
      });
    }
  }
  return { fields, files };
}

/**
 * The first `limit` bytes of a body, then the rest read and dropped (so the answer can be a page
 * the browser shows, not a reset connection) up to `drainLimit`, past which the socket is closed.
 */
function readPrefix(
  req: IncomingMessage,
  limit: number,
  drainLimit: number,
): Promise<{ body: Buffer; complete: boolean }> {
  const declared = Number(req.headers["content-length"] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > drainLimit) {
    req.resume();
    return Promise.reject(payloadTooLarge(limit));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > drainLimit) {
        req.destroy();
        reject(payloadTooLarge(limit));
        return;
      }
      if (kept < limit) {
        const part = chunk.subarray(0, limit - kept);
        chunks.push(part);
        kept += part.length;
      }
    });
    req.on("end", () => resolve({ body: Buffer.concat(chunks, kept), complete: size <= limit }));
    req.on("error", () => reject(new HttpError(400, "Envoi interrompu.")));
  });
}

/**
 * The text fields of a multipart body cut short: every part complete before the cut, files left
 * out. Browsers send parts in the form's order, so the fields before the file input are all there.
 */
export function multipartFieldsOf(prefix: Buffer, contentType: string): Record<string, string> {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const delimiter = Buffer.from(`--${boundary?.[1] ?? boundary?.[2] ?? ""}`);
  const fields: Record<string, string> = {};
  if (delimiter.length <= 2) return fields;
  let at = prefix.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length + 2; // past the delimiter and its CRLF
    const next = prefix.indexOf(delimiter, start);
    if (next < 0) break; // the part the cut went through
    const part = prefix.subarray(start, next - 2); // without the CRLF before the next delimiter
    const split = part.indexOf("\r\n\r\n");
    const head = split >= 0 ? part.subarray(0, split).toString("utf8") : "";
    const name = /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(head)?.[1];
    if (name !== undefined && !/\bfilename=/i.test(head) && !(name in fields)) {
      fields[name] = part.subarray(split + 4).toString("utf8");
    }
    at = next;
  }
  return fields;
}

/**
 * A form post whose file may be too large: the form comes back with its text fields and
 * `tooLarge` set, so the page can say so and keep what the person typed.
 */
export async function readFormKeepingFields(
  req: IncomingMessage,
  limit: number,
  drainLimit: number,
): Promise<FormBody & { tooLarge: boolean }> {
  const type = requireMediaType(req, ["application/x-www-form-urlencoded", "multipart/form-data"]);
  const { body, complete } = await readPrefix(req, limit, drainLimit);
  const contentType = req.headers["content-type"] ?? "";
  if (complete) {
    const form =
      type === "multipart/form-data"
        ? await parseMultipart(body, contentType)
        : { fields: parseUrlEncoded(body), files: [] };
    return { ...form, tooLarge: false };
  }
  if (type !== "multipart/form-data") throw payloadTooLarge(limit);
  return { fields: multipartFieldsOf(body, contentType), files: [], tooLarge: true };
}

/** A form post in either encoding (files only come with multipart). */
export async function readForm(req: IncomingMessage, limit: number): Promise<FormBody> {
  const type = requireMediaType(req, ["application/x-www-form-urlencoded", "multipart/form-data"]);
  const body = await readBody(req, limit);
  if (type === "multipart/form-data") return parseMultipart(body, req.headers["content-type"] ?? "");
  return { fields: parseUrlEncoded(body), files: [] };
}
