import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type RequestListener,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";

type ParsedRequest = IncomingMessage & { _body?: boolean; body?: unknown };

// Hop-by-hop headers, and the body's framing when the gateway has already read the body.
const DROPPED = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade"]);

/**
 * Passes what the gateway let through to Apache CouchDB 3: a body the gateway already read
 * (writes, logins) is sent again as JSON, any other is streamed. CouchDB sees the caller's
 * address in X-Forwarded-For (its own lockout then keys on it), and its CORS headers are dropped
 * (the gateway answers CORS itself).
 */
export function couchProxy(target: string): RequestListener {
  const base = new URL(target);
  const secure = base.protocol === "https:";
  const agent = secure ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = secure ? httpsRequest : httpRequest;
  return (req, res) => {
    const parsed = req as ParsedRequest;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !DROPPED.has(k)) headers[k] = v;
    headers.host = base.host;
    headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
    let body: Buffer | undefined;
    if (parsed._body) {
      body = Buffer.from(JSON.stringify(parsed.body ?? {}));
      headers["content-type"] = "application/json";
      headers["content-length"] = String(body.length);
      delete headers["content-encoding"];
    }
    const upstream = send(
      { host: base.hostname, port: base.port, method: req.method, path: req.url, headers, agent },
      (reply) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(reply.headers)) {
          if (v !== undefined && !k.startsWith("access-control-") && !DROPPED.has(k)) out[k] = v;
        }
        res.writeHead(reply.statusCode ?? 502, out);
        reply.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (res.headersSent) return void res.destroy();
      const text = `${JSON.stringify({ error: "unavailable", reason: "Base de données injoignable." })}\n`;
      res.writeHead(503, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
      res.end(text);
    });
    // A client that leaves (a long-poll closed by the workstation) ends the upstream request.
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    if (body) upstream.end(body);
    else req.pipe(upstream);
  };
}
