import type { ServerResponse } from "node:http";

export type CspKind = "page" | "api" | "app" | "none";

/**
 * Headers every answer carries. CSP: nothing but our own origin, no framing; pages may carry
 * their one inline stylesheet through its hash (`styleHashes`), never inline scripts.
 */
export function setSecurityHeaders(
  res: ServerResponse,
  opts: { secure: boolean; csp: CspKind; styleHashes?: readonly string[]; connectSrc?: readonly string[] },
): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
  res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
  res.setHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
  if (opts.secure) res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  const styles = (opts.styleHashes ?? []).map((h) => `'sha256-${h}'`).join(" ");
  switch (opts.csp) {
    case "page":
      res.setHeader(
        "Content-Security-Policy",
        `default-src 'self'; style-src 'self' ${styles}; img-src 'self' data:; form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'`,
      );
      break;
    case "api":
      res.setHeader("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; sandbox");
      break;
    case "app":
      // The counter app talks to CouchDB, which listens on its own origin.
      res.setHeader(
        "Content-Security-Policy",
        `default-src 'self'; connect-src 'self' ${(opts.connectSrc ?? []).join(" ")}; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'`,
      );
      break;
    case "none":
      break;
  }
}
