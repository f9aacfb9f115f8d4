/**
 * The database port's allowlist: what counter workstations and the sync-server's own accounts
 * use (checked in renderer/sync/, sync-server/couch/couch-db.ts and the tests). Everything else is
 * for the server administrator only: replication, database creation and deletion, `_index`,
 * design documents and their functions, `_users` queries, server configuration.
 */
export type RouteAccess =
  /** Served to anyone; the database's `_security` and validate_doc_update still apply. */
  | { kind: "open" }
  /** A write whose JSON body the gateway reads first (design documents, sizes, batch bound). */
  | { kind: "write"; bulk: boolean }
  /** The caller's own `_users` document, read only. */
  | { kind: "own-user"; name: string }
  | { kind: "admin" };

const OPEN: RouteAccess = { kind: "open" };
const ADMIN: RouteAccess = { kind: "admin" };

/** Database-level endpoints a member may call, by method. */
const DB_ENDPOINTS: Record<string, readonly string[]> = {
  _all_docs: ["GET", "HEAD", "POST"],
  _changes: ["GET", "HEAD", "POST"],
  _bulk_get: ["POST"],
  _revs_diff: ["POST"],
  // The portal and server accounts look requests up by index; member-guard checks membership.
  _find: ["POST"],
};

const USER_DOC_PREFIX = "org.couchdb.user:";

/**
 * `_local` documents whose id starts with this belong to the server: a workstation's own
 * checkpoints (PouchDB replication ids are hashes) never do.
 */
export const SERVER_LOCAL_PREFIX = "guichet-";

export function routeAccess(method: string, rawPath: string): RouteAccess {
  const parts = splitPath(rawPath);
  if (!parts) return ADMIN;
  const [first, second, ...rest] = parts;
  if (first === undefined) return method === "GET" || method === "HEAD" ? OPEN : ADMIN;
  if (first === "_session") return parts.length === 1 ? OPEN : ADMIN;
  if (first === "_up") return parts.length === 1 && method === "GET" ? OPEN : ADMIN;
  if (first === "_users") return usersAccess(method, parts.slice(1));
  // Every other name starting with "_" is a server endpoint or a system database.
  if (first.startsWith("_")) return ADMIN;
  if (second === undefined) {
    if (method === "GET" || method === "HEAD") return OPEN;
    return method === "POST" ? { kind: "write", bulk: false } : ADMIN;
  }
  if (second === "_bulk_docs")
    return method === "POST" && rest.length === 0 ? { kind: "write", bulk: true } : ADMIN;
  if (second === "_local") return localAccess(method, rest);
  // A design document may be read (its validation rules are no secret); never its functions.
  if (second === "_design")
    return rest.length === 1 && (method === "GET" || method === "HEAD") ? OPEN : ADMIN;
  if (second.startsWith("_")) {
    return rest.length === 0 && DB_ENDPOINTS[second]?.includes(method) ? OPEN : ADMIN;
  }
  return documentAccess(method, rest.length);
}

function documentAccess(method: string, depth: number): RouteAccess {
  if (method === "GET" || method === "HEAD") return depth <= 1 ? OPEN : ADMIN;
  if (depth > 0) return ADMIN; // attachments are stored by the sync-server, never by a workstation
  if (method === "PUT") return { kind: "write", bulk: false };
  return method === "DELETE" ? OPEN : ADMIN;
}

function localAccess(method: string, rest: string[]): RouteAccess {
  const id = rest[0];
  if (rest.length !== 1 || id === undefined || id.startsWith(SERVER_LOCAL_PREFIX)) return ADMIN;
  return ["GET", "HEAD", "PUT", "DELETE"].includes(method) ? OPEN : ADMIN;
}

function usersAccess(method: string, rest: string[]): RouteAccess {
  const id = rest[0];
  if (rest.length !== 1 || id === undefined || !id.startsWith(USER_DOC_PREFIX)) return ADMIN;
  if (method !== "GET" && method !== "HEAD") return ADMIN;
  return { kind: "own-user", name: id.slice(USER_DOC_PREFIX.length) };
}

/**
 * Decoded path segments, or null for what CouchDB would not route the same way (bad escapes,
 * `.` or `..` segments, empty segments): refused rather than guessed.
 */
function splitPath(rawPath: string): string[] | null {
  if (!rawPath.startsWith("/")) return null;
  // PouchDB's HTTP adapter asks for "/db/" (database info) with a trailing slash.
  const raw = rawPath.slice(1).replace(/\/$/, "");
  if (raw === "") return [];
  const segments = raw.split("/");
  // "_design/x" and "_local/x" are one document id, and CouchDB also accepts "_design%2Fx".
  const decoded: string[] = [];
  for (const s of segments) {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      return null;
    }
    if (d === "" || d === "." || d === ".." || d.includes("\u0000")) return null;
    for (const piece of d.split("/")) decoded.push(piece);
  }
  return decoded;
}
