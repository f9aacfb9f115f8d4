import type { ServerResponse } from "node:http";

/** Small helpers so every answer sets its length and type the same way. */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  const buf = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  res.writeHead(status, { ...headers, "Content-Type": type, "Content-Length": String(buf.length) });
  // HEAD gets the headers only.
  res.end(res.req?.method === "HEAD" ? undefined : buf);
}

export const sendJson = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
): void => send(res, status, "application/json; charset=utf-8", JSON.stringify(value), headers);

export const sendHtml = (
  res: ServerResponse,
  status: number,
  html: string,
  headers: Record<string, string> = {},
): void => send(res, status, "text/html; charset=utf-8", withBasePath(res, html), headers);

// A commune served under /c/<id>/ (communes/commune-router.ts): its pages' site-absolute links and
// redirects get the prefix, so the pages themselves need not know where they are mounted.
const basePaths = new WeakMap<ServerResponse, string>();

export function setBasePath(res: ServerResponse, base: string): void {
  basePaths.set(res, base);
}

/** A site-absolute path as the client must ask for it (JSON links under /c/<id>/). */
export function sitePath(res: ServerResponse, path: string): string {
  return `${basePaths.get(res) ?? ""}${path}`;
}

function withBasePath(res: ServerResponse, html: string): string {
  const base = basePaths.get(res);
  return base ? html.replace(/(\s(?:href|action|src)=")\/(?!\/)/g, `$1${base}/`) : html;
}

/** 303 See Other: after a POST, the browser GETs the new page (no "resend the form?" on reload). */
export function redirect(res: ServerResponse, location: string): void {
  const base = basePaths.get(res);
  if (base && location.startsWith("/") && !location.startsWith("//")) location = `${base}${location}`;
  res.writeHead(303, { Location: location, "Content-Length": "0" });
  res.end();
}
