import { request as httpRequest, type IncomingMessage, type RequestListener } from "node:http";
import { WORKSTATION_HEADER } from "../../domain/workstation-status";

/**
 * PouchDB Server answers `_find`, `_explain` and `_index` to any logged-in user, member of the
 * database or not (found by tests/integration/sensitive.test.ts: a counter agent read the CCAS
 * database through `_find`). Before passing such a request on, ask the same server for the
 * database's info with the caller's credentials: PouchDB Server does check membership there, and
 * its answer (401, 403) is returned as is.
 */
// Names starting with "_" are checked too: `_users` and `_replicator` are databases. `_bulk_docs`
// too: a non-member's rows met only validate_doc_update there (found by
// tests/integration/communes.test.ts: an agent of commune B wrote a log entry into A's -log).
const QUERY_PATH = /^\/([^/]+)\/(_find|_explain|_index|_bulk_get|_bulk_docs)(\/|$)/;

export function withMemberOnlyQueries(port: () => number, next: RequestListener): RequestListener {
  return (req, res) => {
    const match = QUERY_PATH.exec((req.url ?? "").split("?")[0] ?? "");
    if (!match) return next(req, res);
    void infoAs(port(), match[1] ?? "", req).then(
      (check) => {
        if (check.status === 200) return next(req, res);
        res.writeHead(check.status, { "Content-Type": "application/json" });
        res.end(check.body);
      },
      () => {
        res.writeHead(503, { "Content-Type": "application/json" });
        res.end(`${JSON.stringify({ error: "unavailable", reason: "member check failed" })}\n`);
      },
    );
  };
}

function infoAs(port: number, db: string, req: IncomingMessage): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (req.headers.authorization) headers.Authorization = req.headers.authorization;
  if (req.headers.cookie) headers.Cookie = req.headers.cookie;
  // The same workstation asks (the gateway checked it): without it, a required identity refuses.
  const workstation = req.headers[WORKSTATION_HEADER.toLowerCase()];
  if (typeof workstation === "string") headers[WORKSTATION_HEADER] = workstation;
  return new Promise((resolve, reject) => {
    const r = httpRequest({ host: "127.0.0.1", port, path: `/${db}`, method: "GET", headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 500, body: Buffer.concat(chunks).toString() }));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end();
  });
}
