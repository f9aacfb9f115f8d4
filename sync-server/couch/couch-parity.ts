import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";

type CouchRequest = IncomingMessage & {
  couchSession?: { userCtx?: { name?: string | null; roles?: string[] } };
};
type Send = (this: ServerResponse, body?: unknown) => ServerResponse;

const POUCH_NOT_MEMBER = "You are not authorized to access this db.";

/**
 * Where PouchDB Server answers differently from CouchDB 3, answer like CouchDB, so that clients and
 * tests see one behaviour:
 * - a logged-in user who is not a member of a database gets 403 "forbidden" (PouchDB Server: 401,
 *   which clients read as "log in again");
 * - `_all_dbs` is for server admins only (CouchDB 3's default): database names are commune names.
 */
export function withCouchStatusParity(next: RequestListener): RequestListener {
  return (req, res) => {
    const send: Send = function (this: ServerResponse, body?: unknown) {
      const protoSend = (Object.getPrototypeOf(this) as { send: Send }).send;
      const userCtx = (req as CouchRequest).couchSession?.userCtx;
      const reply = (status: number, error: string, reason: string) => {
        this.statusCode = status;
        return protoSend.call(this, Buffer.from(`${JSON.stringify({ error, reason })}\n`));
      };
      if (this.statusCode === 401 && userCtx?.name && isNotMemberBody(body)) {
        return reply(403, "forbidden", "You are not allowed to access this db.");
      }
      const path = (req.url ?? "").split("?")[0];
      if (path === "/_all_dbs" && !userCtx?.roles?.includes("_admin")) {
        return reply(401, "unauthorized", "You are not a server admin.");
      }
      return protoSend.call(this, body);
    };
    // Express sets its response prototype later; an own property still takes precedence.
    Object.defineProperty(res, "send", { value: send, configurable: true, writable: true });
    next(req, res);
  };
}

function isNotMemberBody(body: unknown): boolean {
  const text = Buffer.isBuffer(body) ? body.toString("utf8") : typeof body === "string" ? body : "";
  return text.includes(POUCH_NOT_MEMBER);
}
