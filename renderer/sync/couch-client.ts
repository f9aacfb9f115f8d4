import {
  basicAuthorization,
  type Credentials,
  type FetchLike,
  HttpError,
  identityHeaders,
  NetworkError,
  noteRefusal,
} from "./http";

/**
 * The only code in the renderer that speaks CouchDB's HTTP API. Basic auth on every call, no
 * cookies, so it works the same from a browser page, Electron's custom scheme and Node tests.
 */

export type ChangeRow = { id: string; seq: unknown; deleted?: boolean; doc?: Record<string, unknown> };
export type ChangesResult = { results: ChangeRow[]; last_seq: unknown };
export type BulkRow = { id: string; ok?: boolean; rev?: string; error?: string; reason?: string };
export type AllDocsRow = {
  key: string;
  id?: string;
  value?: { rev: string; deleted?: boolean };
  doc?: Record<string, unknown> | null;
  error?: string;
};

export class CouchHttpError extends HttpError {
  constructor(
    status: number,
    readonly couchError: string,
    reason: string,
  ) {
    super(status, reason, `${status} ${couchError}: ${reason}`);
  }
}

export type CouchClient = ReturnType<typeof couchClient>;
export type BulkBody = { json: string; gz?: ArrayBuffer };

export function couchClient(dbUrl: string, auth: Credentials, fetchImpl: FetchLike = (u, i) => fetch(u, i)) {
  const base = dbUrl.endsWith("/") ? dbUrl : `${dbUrl}/`;
  let compress = true;
  const authorization = basicAuthorization(auth);

  async function call<T>(
    path: string,
    init: RequestInit & { signal?: AbortSignal } = {},
    extraHeaders: Record<string, string> = {},
  ): Promise<T> {
    let res: Response;
    try {
      res = await fetchImpl(base + path, {
        ...init,
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          Authorization: authorization,
          ...identityHeaders(),
          ...extraHeaders,
        },
      });
    } catch (err) {
      if ((err as Error).name === "AbortError") throw err;
      throw new NetworkError((err as Error).message);
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // A proxy or captive portal answering HTML is a network problem, not a refusal.
      throw new NetworkError(`Réponse illisible (${res.status})`);
    }
    if (!res.ok) {
      noteRefusal(res.status, body);
      const b = body as { error?: string; reason?: string };
      throw new CouchHttpError(res.status, b.error ?? "error", b.reason ?? res.statusText);
    }
    return body as T;
  }

  /**
   * A `_bulk_docs` body: JSON, and gzipped when it is worth it. Request bodies are the bulk of what
   * a workstation sends over a poor line; JSON of requests compresses about 4:1, and both CouchDB 3
   * and PouchDB Server inflate gzip bodies. Made apart so that the next one is ready while one travels.
   */
  async function bulkBody(docs: Record<string, unknown>[]): Promise<BulkBody> {
    const json = JSON.stringify({ docs });
    if (!compress || json.length < 2048 || typeof CompressionStream === "undefined") return { json };
    return { json, gz: await gzip(json) };
  }

  return {
    url: base,
    changes(opts: { since: unknown; limit: number; longpollMs?: number; signal?: AbortSignal }) {
      const q = new URLSearchParams({
        include_docs: "true",
        since: typeof opts.since === "string" ? opts.since : JSON.stringify(opts.since ?? 0),
        limit: String(opts.limit),
        // Only the winning revision: conflicts are merged by the clients, not replicated as branches.
        style: "main_only",
      });
      if (opts.longpollMs !== undefined) {
        q.set("feed", "longpoll");
        q.set("timeout", String(opts.longpollMs));
      }
      return call<ChangesResult>(`_changes?${q}`, opts.signal ? { signal: opts.signal } : {});
    },
    bulkBody,
    /** Writes documents, or a body made ready ahead by `bulkBody`. */
    async bulkDocs(docs: Record<string, unknown>[] | BulkBody) {
      const { json, gz } = Array.isArray(docs) ? await bulkBody(docs) : docs;
      if (!gz || !compress) return call<BulkRow[]>("_bulk_docs", { method: "POST", body: json });
      try {
        return await call<BulkRow[]>(
          "_bulk_docs",
          { method: "POST", body: gz },
          { "Content-Encoding": "gzip" },
        );
      } catch (err) {
        if (!(err instanceof NetworkError)) throw err;
        // A server (or its CORS rules) refusing compressed bodies looks like a dead line from a
        // browser: try once uncompressed, and if that goes through, stop compressing.
        const out = await call<BulkRow[]>("_bulk_docs", { method: "POST", body: json });
        compress = false;
        return out;
      }
    },
    allDocs(keys: string[]) {
      return call<{ rows: AllDocsRow[] }>("_all_docs?include_docs=true", {
        method: "POST",
        body: JSON.stringify({ keys }),
      });
    },
    info() {
      return call<{ db_name: string; update_seq: unknown; doc_count: number }>("");
    },
  };
}

async function gzip(text: string): Promise<ArrayBuffer> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Response(stream).arrayBuffer();
}
