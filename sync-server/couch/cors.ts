import type { RequestListener } from "node:http";

const ALLOWED_METHODS = "GET, POST, PUT, DELETE, HEAD, OPTIONS";
// Content-Encoding: workstations gzip their uploads (renderer/sync/couch-client.ts).
// X-Guichet-Workstation: the workstation's identity (workstations/registry.ts).
const ALLOWED_HEADERS = "Authorization, Content-Type, Content-Encoding, Accept, X-Guichet-Workstation";
const EXPOSED_HEADERS = "Content-Type, ETag, Cache-Control";

/**
 * CORS in front of PouchDB Server (its own CORS settings did not work): only the configured origins,
 * echoed exactly, with credentials, since browsers refuse `*` when cookies or Authorization are sent.
 */
export function withCors(origins: ReadonlySet<string>, next: RequestListener): RequestListener {
  // Read on every request: the sync-server adds its own origin once it listens (couch.ts allowOrigins).
  const allowed = origins;
  return (req, res) => {
    const origin = req.headers.origin;
    const preflight =
      req.method === "OPTIONS" && origin !== undefined && "access-control-request-method" in req.headers;
    if (origin !== undefined && allowed.has(origin)) {
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
      res.setHeader("Vary", "Origin");
      if (preflight) {
        res.writeHead(204, {
          "Access-Control-Allow-Methods": ALLOWED_METHODS,
          "Access-Control-Allow-Headers": ALLOWED_HEADERS,
          "Access-Control-Max-Age": "600",
          "Content-Length": "0",
        });
        res.end();
        return;
      }
    } else if (preflight) {
      res.writeHead(403, { "Content-Type": "application/json", Vary: "Origin" });
      res.end(`${JSON.stringify({ error: "forbidden", reason: "Origine non autorisée." })}\n`);
      return;
    }
    next(req, res);
  };
}
