/**
 * The little of CouchDB's HTTP API the server pipeline needs, over fetch with Basic auth (one
 * client per account: portal, server, admin). Works the same on Apache CouchDB 3 and on the
 * embedded PouchDB Server; rows of `_bulk_docs` are matched by id, never by position.
 */
export type Auth = { username: string; password: string };

export class CouchError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
  ) {
    super(`CouchDB ${status} ${error}: ${reason}`);
  }
}

export type BulkRow = { id: string; ok?: boolean; rev?: string; error?: string; reason?: string };
export type ChangeRow<T> = {
  id: string;
  seq: unknown;
  deleted?: boolean;
  doc?: T;
  changes?: { rev: string }[];
};
export type Doc = { _id: string; _rev?: string; [k: string]: unknown };

export const basicAuth = (a: Auth): string =>
  `Basic ${Buffer.from(`${a.username}:${a.password}`).toString("base64")}`;

export type CouchServer = ReturnType<typeof couchServer>;

/** `headers`: sent on every call (the server's mark on calls it makes with an agent's credentials). */
export function couchServer(url: string, auth?: Auth, fixedHeaders: Record<string, string> = {}) {
  const base = url.replace(/\/+$/, "");
  const authorization = auth ? basicAuth(auth) : undefined;
  // A session cookie instead of Basic on every call: the password is then checked (PBKDF2) once
  // per session, not once per request, which the embedded server pays in the portal's CPU.
  let cookie: string | undefined;
  let login: Promise<void> | null = null;

  function logIn(): Promise<void> {
    login ??= (async () => {
      try {
        const res = await fetch(`${base}/_session`, {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          body: JSON.stringify({ name: auth?.username, password: auth?.password }),
        });
        await res.text();
        const set = res.headers.get("set-cookie");
        cookie = res.ok && set ? set.split(";")[0] : undefined;
      } catch {
        cookie = undefined;
      } finally {
        login = null;
      }
    })();
    return login;
  }

  type Init = { method?: string; body?: unknown; signal?: AbortSignal; headers?: Record<string, string> };

  async function request<T>(path: string, init: Init = {}): Promise<T> {
    return (await exchange<T>(path, init)).body;
  }

  /** The call and its HTTP status: a cluster says 202 instead of 201 when a write missed its quorum. */
  async function exchange<T>(path: string, init: Init = {}): Promise<{ status: number; body: T }> {
    const explicit = init.headers?.Authorization !== undefined;
    if (auth && !explicit && !cookie) await logIn();
    const send = () => {
      // fetch asks for gzip by default, and PouchDB Server then compresses every answer over
      // 1 KB (changes feeds, bulk results) for a client next to it: CPU on both ends for nothing.
      const headers: Record<string, string> = {
        Accept: "application/json",
        "Accept-Encoding": "identity",
        ...fixedHeaders,
        ...init.headers,
      };
      if (!explicit && authorization) {
        // Basic stays the fallback when no session could be opened.
        if (cookie) headers.Cookie = cookie;
        else headers.Authorization = authorization;
      }
      if (init.body !== undefined) headers["Content-Type"] = "application/json";
      return fetch(`${base}/${path}`, {
        method: init.method ?? "GET",
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    };
    let res = await send();
    if (res.status === 401 && cookie && !explicit) {
      // Session expired (server restarted with another secret, or timeout): open a new one.
      await res.text();
      cookie = undefined;
      await logIn();
      res = await send();
    }
    let text = await res.text();
    // A cluster answers this for a moment after a database was deleted and created again under
    // the same name (its shards are being opened): nothing was done, so asking again is safe.
    for (
      let wait = 100;
      res.status === 500 && text.includes("No DB shards could be opened") && wait <= 1600;
      wait *= 2
    ) {
      await new Promise((r) => setTimeout(r, wait));
      res = await send();
      text = await res.text();
    }
    // CouchDB renews the cookie as it ages.
    const renewed = !explicit && cookie ? res.headers.get("set-cookie") : null;
    if (renewed?.startsWith("AuthSession=")) cookie = renewed.split(";")[0];
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      throw new CouchError(res.status, "bad_response", text.slice(0, 200));
    }
    if (!res.ok) {
      const b = parsed as { error?: string; reason?: string };
      throw new CouchError(res.status, b.error ?? "error", b.reason ?? res.statusText);
    }
    return { status: res.status, body: parsed as T };
  }

  return {
    url: base,
    request,
    db: (name: string) => couchDb(request, exchange, name, `${base}/${encodeURIComponent(name)}`),
    /** Who the given Authorization header logs in as (CouchDB checks the password). */
    session: (authorizationHeader: string) =>
      request<{ ok: boolean; userCtx: { name: string | null; roles: string[] } }>("_session", {
        headers: { Authorization: authorizationHeader },
      }),
  };
}

type Requester = ReturnType<typeof couchServer>["request"];
type Exchanger = <T>(path: string, init?: Parameters<Requester>[1]) => Promise<{ status: number; body: T }>;

export type CouchDb = ReturnType<typeof couchDb>;

function couchDb(request: Requester, exchange: Exchanger, name: string, url: string) {
  const p = encodeURIComponent(name);
  const docPath = (id: string) =>
    `${p}/${id.startsWith("_local/") ? `_local/${encodeURIComponent(id.slice(7))}` : encodeURIComponent(id)}`;
  return {
    name,
    url,
    /** The document, or null when it does not exist (or was deleted). */
    async get<T = Doc>(id: string, query: Record<string, string> = {}): Promise<(T & Doc) | null> {
      const qs = new URLSearchParams(query).toString();
      try {
        return await request<T & Doc>(`${docPath(id)}${qs ? `?${qs}` : ""}`);
      } catch (e) {
        if (e instanceof CouchError && e.status === 404) return null;
        throw e;
      }
    },
    /**
     * The leaf each of these revisions leads to now (`open_revs` with `latest`), or `missing` when
     * none of the copies asked holds it (on a cluster, a revision still on its way between copies).
     */
    latestLeaves: <T = Doc>(id: string, revs: readonly string[]) =>
      request<({ ok: T & Doc } | { missing: string })[]>(
        `${docPath(id)}?${new URLSearchParams({ open_revs: JSON.stringify(revs), latest: "true" })}`,
      ),
    /** Create (no _rev) or update (with _rev); a 409 CouchError means someone else wrote first. */
    put: (doc: Doc) =>
      request<{ ok: boolean; id: string; rev: string }>(docPath(doc._id), { method: "PUT", body: doc }),
    /**
     * Creates a document that must not exist yet (no _rev); a 409 CouchError means it exists.
     * `quorum` is false when a cluster stored it on fewer copies than its write quorum (202).
     */
    async create(doc: Doc): Promise<{ rev: string; quorum: boolean }> {
      const { status, body } = await exchange<{ rev: string }>(docPath(doc._id), {
        method: "PUT",
        body: doc,
      });
      return { rev: body.rev, quorum: status === 201 };
    },
    bulkDocs: (docs: readonly object[]) =>
      request<BulkRow[]>(`${p}/_bulk_docs`, { method: "POST", body: { docs } }),
    allDocs: <T = Doc>(query: Record<string, unknown>) =>
      request<{
        rows: { id: string; key: unknown; value: { rev: string; deleted?: boolean }; doc?: T | null }[];
      }>(`${p}/_all_docs`, { method: "POST", body: query }),
    find: <T = Doc>(query: Record<string, unknown>) =>
      request<{ docs: T[]; bookmark?: string; warning?: string }>(`${p}/_find`, {
        method: "POST",
        body: query,
      }),
    createIndex: (index: { fields: string[] }, ddoc: string, indexName: string) =>
      request<{ result: string }>(`${p}/_index`, {
        method: "POST",
        body: { index, ddoc, name: indexName, type: "json" },
      }),
    changes: <T = Doc>(query: Record<string, string>, signal?: AbortSignal) =>
      request<{ results: ChangeRow<T>[]; last_seq: unknown }>(
        `${p}/_changes?${new URLSearchParams(query)}`,
        signal ? { signal } : {},
      ),
    info: () => request<{ db_name: string; doc_count: number; update_seq: unknown }>(p),
    /** Deletes one revision; a 409 CouchError means it is not the current one any more. */
    remove: (id: string, rev: string) =>
      request<{ ok: boolean; rev: string }>(`${docPath(id)}?rev=${encodeURIComponent(rev)}`, {
        method: "DELETE",
      }),
  };
}
