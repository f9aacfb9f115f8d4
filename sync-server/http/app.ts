import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { HttpError } from "./errors";
import { crossSiteError } from "./origin-check";
import type { Ctx, Router } from "./router";
import { type CspKind, setSecurityHeaders } from "./security-headers";

/** A part of the site: its routes, its headers, and how it shows an error (HTML page or JSON). */
export type Mount = {
  prefix: string;
  router: Router;
  csp: CspKind;
  styleHashes?: readonly string[];
  connectSrc?: readonly string[];
  renderError(ctx: Ctx, err: HttpError): void;
};

export type AppOptions = {
  mounts: Mount[];
  /** Behind a reverse proxy: take the client IP and the scheme from X-Forwarded-For / -Proto. */
  trustProxy: boolean;
  /** The server itself speaks TLS. */
  tls: boolean;
  onError?: (err: unknown, req: IncomingMessage) => void;
  /** Origins besides the request's own from which browsers may POST (the public URL). */
  trustedOrigins?: () => readonly string[];
};

export const INTERNAL_ERROR = "Erreur interne du serveur. Réessayez dans quelques instants.";

export function createApp(opts: AppOptions): RequestListener {
  // Longest prefix first, so "/api/v1/" wins over "/".
  const mounts = [...opts.mounts].sort((a, b) => b.prefix.length - a.prefix.length);
  return (req, res) => {
    void handle(req, res);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      res.writeHead(400, { "Content-Type": "text/plain; charset=utf-8" }).end("Adresse invalide.");
      return;
    }
    const mount = mounts.find(
      (m) => url.pathname === m.prefix.replace(/\/$/, "") || url.pathname.startsWith(m.prefix),
    );
    const ctx: Ctx = {
      req,
      res,
      url,
      params: {},
      ip: clientIp(req, opts.trustProxy),
      secure: isSecure(req, opts),
    };
    if (!mount) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Page introuvable.");
      return;
    }
    setSecurityHeaders(res, {
      secure: ctx.secure,
      csp: mount.csp,
      ...(mount.styleHashes ? { styleHashes: mount.styleHashes } : {}),
      ...(mount.connectSrc ? { connectSrc: mount.connectSrc } : {}),
    });
    try {
      const match = mount.router.match(req.method ?? "GET", url.pathname);
      if (!match) throw new HttpError(404, "Page introuvable.");
      if ("allowed" in match) {
        throw new HttpError(405, "Méthode non autorisée pour cette adresse.", undefined, {
          Allow: [...new Set(match.allowed)].join(", "),
        });
      }
      const forged = crossSiteError(req, ctx.secure, opts.trustedOrigins?.() ?? []);
      if (forged) throw forged;
      ctx.params = match.params;
      await match.handler(ctx);
    } catch (err) {
      const httpErr = err instanceof HttpError ? err : new HttpError(500, INTERNAL_ERROR);
      if (!(err instanceof HttpError) || httpErr.status >= 500) opts.onError?.(err, req);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      for (const [k, v] of Object.entries(httpErr.headers)) res.setHeader(k, v);
      // The rest of an oversized body was not read: do not keep the connection for another request.
      if (httpErr.status === 413) res.setHeader("Connection", "close");
      try {
        mount.renderError(ctx, httpErr);
      } catch (renderErr) {
        opts.onError?.(renderErr, req);
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(INTERNAL_ERROR);
      }
    }
  }
}

function clientIp(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = String(req.headers["x-forwarded-for"] ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    // The last hop is the one our proxy added; earlier ones are whatever the client claimed.
    const last = forwarded[forwarded.length - 1];
    if (last) return last;
  }
  return req.socket.remoteAddress ?? "unknown";
}

function isSecure(req: IncomingMessage, opts: AppOptions): boolean {
  if (opts.tls) return true;
  return (
    opts.trustProxy &&
    String(req.headers["x-forwarded-proto"] ?? "")
      .split(",")[0]
      ?.trim() === "https"
  );
}
