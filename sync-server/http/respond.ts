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
): void => send(res, status, "text/html; charset=utf-8", html, headers);

/** 303 See Other: after a POST, the browser GETs the new page (no "resend the form?" on reload). */
export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, "Content-Length": "0" });
  res.end();
}
