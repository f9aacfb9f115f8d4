import { createRequire } from "node:module";
import { type CouchDb, CouchError, type CouchServer } from "./couch-db";
import { DEFAULT_LIMITS } from "./gateway/limits";
import { GatewayRefusal } from "./gateway/refusal";
import { checkWrite } from "./gateway/write-check";
import type { ExpressPouchApp, PouchConstructor } from "./pouch-modules";

/**
 * The embedded server's own accounts (portal, server) writing and reading their grouped batches
 * without HTTP. Profiled at 200 submissions/s, the HTTP layers between the server and the
 * PouchDB in its own process (undici, the gateway and its second request for the member check,
 * express, express-pouchdb, the session and `_security` reads) took 20–25 % of the server's CPU.
 *
 * Same rules as over HTTP, on the same database objects express-pouchdb uses (so its live
 * changes feeds see these writes at once):
 * - the account is who `_session` says it is (its password checked by the server), refreshed
 *   every `SESSION_REFRESH_MS`; an account that stops logging in stops writing;
 * - the gateway's write checks (no design documents, no server checkpoints, sizes and counts);
 * - membership of the database, checked against its `_security` read for each call;
 * - the document checks of pouchdb-security and validate_doc_update (pouch-modules.ts), run by
 *   the database object itself with the account's userCtx and the `_security` object, as the
 *   `_bulk_docs` route passes them.
 * Documents cross as JSON, as over HTTP (a field set to `undefined` is absent, not present).
 */

type UserCtx = { name: string | null; roles: string[]; db?: string };
type Section = { names?: string[]; roles?: string[] };
type SecObj = { admins?: Section; members?: Section };
type PouchRow = { id?: string; ok?: boolean; rev?: string; error?: unknown; name?: string; message?: string };
type Options = { userCtx: UserCtx; secObj: SecObj };

/** The little of a wrapped PouchDB database object this module calls. */
type PouchHandle = {
  bulkDocs(body: { docs: unknown[] }, opts: Options): Promise<PouchRow[]>;
  allDocs(opts: Record<string, unknown>): Promise<unknown>;
  getSecurity(): Promise<SecObj>;
};

/** Opens databases of the embedded server as express-pouchdb does for a request (wrapped once, cached). */
export type InProcessPouch = { open(name: string): Promise<PouchHandle> };

const SESSION_REFRESH_MS = 30_000;

export function inProcessPouch(app: ExpressPouchApp, PouchDB: PouchConstructor): InProcessPouch {
  const require = createRequire(import.meta.url);
  const { getOrCreateDB } = require("express-pouchdb/lib/create-or-delete-dbs") as {
    getOrCreateDB(P: PouchConstructor, name: string): Promise<unknown>;
  };
  const wrapper = (app as unknown as { dbWrapper: { wrap(name: string, db: unknown): Promise<unknown> } })
    .dbWrapper;
  const allDbs = () => (PouchDB as unknown as { allDbs(): Promise<string[]> }).allDbs();
  // express-pouchdb's own cache of open databases: a database deleted and created again gets a new object there.
  const current = (name: string) =>
    (PouchDB as unknown as { __dbCacheMap?: { get(n: string): unknown } }).__dbCacheMap?.get(name);
  const handles = new Map<string, Promise<PouchHandle>>();
  const raws = new Map<string, unknown>();
  return {
    open(name) {
      const known = handles.get(name);
      const raw = raws.get(name);
      if (known && (raw === undefined || raw === current(name))) return known;
      raws.delete(name);
      const handle = (async () => {
        // As express-pouchdb: a database that does not exist is not created by a write.
        if (!(await allDbs()).includes(name)) throw new CouchError(404, "not_found", "no_db_file");
        const db = await getOrCreateDB(PouchDB, name);
        raws.set(name, db);
        return (await wrapper.wrap(name, db)) as PouchHandle;
      })();
      handle.catch(() => {
        if (handles.get(name) === handle) handles.delete(name);
      });
      handles.set(name, handle);
      return handle;
    },
  };
}

/** An account's client of a database: in-process on an embedded server started here, HTTP otherwise. */
export function directDb(
  couch: { inProcess?: InProcessPouch | undefined },
  account: CouchServer,
  name: string,
): CouchDb {
  return couch.inProcess ? inProcessDb(account, couch.inProcess, name) : account.db(name);
}

/**
 * An account's client of database `name` with its `_bulk_docs` and `_all_docs` calls
 * made in-process; everything else still goes over HTTP.
 */
export function inProcessDb(server: CouchServer, pouch: InProcessPouch, name: string): CouchDb {
  const http = server.db(name);
  const session = accountSession(server);

  /** The database, the account, and its right to use the database now. */
  async function open(): Promise<{ db: PouchHandle; options: Options }> {
    const [db, userCtx] = await Promise.all([pouch.open(name), session()]);
    const secObj = await db.getSecurity();
    if (!isMember(userCtx, secObj))
      throw new CouchError(403, "forbidden", "You are not allowed to access this db.");
    // The `_bulk_docs` route gives validate_doc_update the database's name in userCtx (CouchDB too).
    return { db, options: { userCtx: { ...userCtx, db: name }, secObj } };
  }

  return {
    ...http,
    async bulkDocs(docs) {
      const body = JSON.stringify({ docs });
      const bytes = Buffer.byteLength(body);
      const copy = JSON.parse(body) as { docs: unknown[] };
      try {
        if (bytes > DEFAULT_LIMITS.maxBodyBytes)
          throw new GatewayRefusal(413, "too_large", "Corps de requête trop volumineux.");
        checkWrite(copy, bytes, { bulk: true, limits: DEFAULT_LIMITS });
      } catch (e) {
        if (e instanceof GatewayRefusal) throw new CouchError(e.status, e.error, e.reason);
        throw e;
      }
      const { db, options } = await open();
      const rows = await call(() => db.bulkDocs(copy, options));
      return rows.map((r) =>
        r.error
          ? { id: r.id ?? "", error: r.name ?? "error", reason: r.message ?? "" }
          : { id: r.id ?? "", ok: true, ...(r.rev ? { rev: r.rev } : {}) },
      );
    },
    allDocs: (async (query: Record<string, unknown>) => {
      const { db, options } = await open();
      // Same options object as the HTTP route builds (the query, then userCtx and secObj).
      return call(() => db.allDocs({ ...(JSON.parse(JSON.stringify(query)) as object), ...options }));
    }) as CouchDb["allDocs"],
  };
}

/** PouchDB's errors as the CouchError the HTTP client would have thrown. */
async function call<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const err = e as { status?: number; name?: string; message?: string };
    if (typeof err?.status === "number")
      throw new CouchError(err.status, err.name ?? "error", err.message ?? "");
    throw e;
  }
}

/** Who the account's session says it is, read again every SESSION_REFRESH_MS. */
function accountSession(server: CouchServer): () => Promise<UserCtx> {
  let current: { at: number; ctx: Promise<UserCtx> } | undefined;
  return () => {
    if (!current || Date.now() - current.at > SESSION_REFRESH_MS) {
      const ctx = server.request<{ userCtx: UserCtx }>("_session").then(({ userCtx }) => {
        if (!userCtx?.name) throw new CouchError(401, "unauthorized", "Name or password is incorrect.");
        return { name: userCtx.name, roles: [...(userCtx.roles ?? [])] };
      });
      current = { at: Date.now(), ctx };
      // A failure is not kept: the next call asks again.
      ctx.catch(() => {
        if (current?.ctx === ctx) current = undefined;
      });
    }
    return current.ctx;
  };
}

/** CouchDB's rule: server admins, the database's admins and members; no members means public. */
export function isMember(user: UserCtx, sec: SecObj): boolean {
  const inSection = (s: Section | undefined) =>
    !!s &&
    ((user.name !== null && (s.names ?? []).includes(user.name)) ||
      (s.roles ?? []).some((r) => user.roles.includes(r)));
  if (user.roles.includes("_admin") || inSection(sec.admins)) return true;
  const members = sec.members ?? {};
  if ((members.names ?? []).length === 0 && (members.roles ?? []).length === 0) return true;
  return inSection(members);
}
