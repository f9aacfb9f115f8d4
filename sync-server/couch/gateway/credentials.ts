import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export type BasicCredentials = { name: string; password: string };

/** `Authorization: Basic …`, or null (absent, another scheme, malformed). */
export function basicCredentials(req: IncomingMessage): BasicCredentials | null {
  const header = req.headers.authorization;
  if (!header?.startsWith("Basic ")) return null;
  const decoded = Buffer.from(header.slice(6).trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0) return null;
  return { name: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * The user name an AuthSession cookie claims (CouchDB's cookie is base64url of
 * "name:time:hmac"). Not verified here: only used to pick the `_users` document the caller may
 * ask for, and PouchDB Server checks the cookie itself before answering.
 */
export function cookieUserName(req: IncomingMessage): string | null {
  const cookie = authSessionCookie(req);
  if (!cookie) return null;
  const decoded = Buffer.from(cookie, "base64url").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? decoded.slice(0, colon) : null;
}

/** Whether the request carries any credentials (decides 401 or 403 on a refusal). */
export function hasCredentials(req: IncomingMessage): boolean {
  return req.headers.authorization !== undefined || cookieUserName(req) !== null;
}

/**
 * Who is the server administrator: Basic credentials equal to the configured ones (compared in
 * constant time), or an AuthSession cookie that PouchDB Server issued to that account (the
 * sync-server's clients log in once and use the cookie).
 */
export class ServerAdmin {
  private readonly expected: Buffer;
  private readonly cookies = new Set<string>();

  constructor(
    private readonly user: string,
    password: string,
  ) {
    this.expected = digest(`${user}:${password}`);
  }

  is(req: IncomingMessage): boolean {
    const creds = basicCredentials(req);
    if (creds) return this.matches(creds.name, creds.password);
    const cookie = authSessionCookie(req);
    return cookie !== null && this.cookies.has(cookie);
  }

  matches(name: unknown, password: unknown): boolean {
    if (typeof name !== "string" || typeof password !== "string") return false;
    return timingSafeEqual(digest(`${name}:${password}`), this.expected);
  }

  /** Keeps the cookie a response gives the administrator (a login, or a refreshed session). */
  remember(setCookie: unknown): void {
    const values = Array.isArray(setCookie) ? setCookie : [setCookie];
    for (const v of values) {
      const match = /^AuthSession=([^;]*)/.exec(String(v ?? ""));
      if (!match?.[1]) continue;
      this.cookies.add(match[1]);
      // Sessions last minutes and the server logs in again when one expires: keep a few.
      if (this.cookies.size > 64) this.cookies.delete(this.cookies.values().next().value as string);
    }
  }

  get name(): string {
    return this.user;
  }
}

function authSessionCookie(req: IncomingMessage): string | null {
  return /(?:^|;\s*)AuthSession=([^;]+)/.exec(req.headers.cookie ?? "")?.[1] ?? null;
}

function digest(s: string): Buffer {
  return createHash("sha256").update(s).digest();
}
