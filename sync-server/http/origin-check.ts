import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const CROSS_SITE_REFUSED =
  "Envoi refusé : ce formulaire ne peut être envoyé que depuis le site de la mairie. Rouvrez la page sur le site et envoyez-le à nouveau.";

/**
 * Cross-site request forgery guard for every state-changing request (portal forms, JSON API,
 * Open311). A browser says where a request comes from: `Sec-Fetch-Site` (current browsers), else
 * `Origin` (sent on every cross-origin POST). Allowed: the same origin, a page the user opened
 * directly, or the configured public address. A client that sends neither header is not a browser
 * (curl, an Open311 client, a workstation's Node process): a forged page cannot drop both, so
 * such requests go on, authenticated as usual.
 */
export function crossSiteError(
  req: IncomingMessage,
  secure: boolean,
  trustedOrigins: readonly string[],
): HttpError | null {
  if (SAFE_METHODS.has(req.method ?? "GET")) return null;
  const site = header(req, "sec-fetch-site");
  if (site !== undefined) return site === "same-origin" || site === "none" ? null : refused();
  const origin = header(req, "origin");
  if (origin === undefined) return null;
  const own = req.headers.host ? `${secure ? "https" : "http"}://${req.headers.host}` : "";
  const allowed = [own, ...trustedOrigins].filter(Boolean).map(originOf);
  return allowed.includes(originOf(origin)) ? null : refused();
}

const refused = () => new HttpError(403, CROSS_SITE_REFUSED);

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Normalised origin (scheme, host, port), or the raw text ("null") when it is no URL. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return `invalid:${url}`;
  }
}
