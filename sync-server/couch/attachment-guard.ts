import type { PouchConstructor } from "./pouch-modules";

type Docs = { _id?: unknown; _attachments?: unknown }[];
type Writer = (...args: unknown[]) => unknown;
type GuardedDb = { constructor: unknown; bulkDocs: Writer; __attachmentGuard?: true };

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Base64 as pouchdb-node accepts it (canonical), else it answers 500 "badarg". */
const isBase64 = (s: string): boolean => Buffer.from(s, "base64").toString("base64") === s;

/** Why CouchDB would refuse these documents' `_attachments` (400), or null when they are well formed. */
export function attachmentsProblem(docs: Docs): string | null {
  for (const doc of docs) {
    if (!isRecord(doc) || doc._attachments === undefined) continue;
    const atts = doc._attachments;
    if (!isRecord(atts)) return "Bad special document member: _attachments";
    for (const [name, att] of Object.entries(atts)) {
      const bad = `Invalid attachment data for ${name}`;
      if (!isRecord(att)) return bad;
      if (att.content_type !== undefined && typeof att.content_type !== "string") return bad;
      if ("stub" in att) {
        if (att.stub !== true) return bad;
        continue;
      }
      // A JSON body has no following MIME part; pouchdb-node's own callers pass Buffers.
      const data = att.data;
      if (typeof data === "string" ? !isBase64(data) : !(data instanceof Uint8Array)) return bad;
    }
  }
  return null;
}

/**
 * pouchdb-node trusts `_attachments`: `{ "x": {} }` or `{ "x": { "data": 5 } }` throws inside its
 * LevelDB writer, outside any request, and the whole embedded server process dies — any account
 * that may write one document could stop the town hall's server. CouchDB answers 400: so does
 * the embedded server now, before PouchDB sees the documents (every write goes through bulkDocs:
 * PUT, POST, _bulk_docs, replication). Installed on the databases of `Mine` as they open.
 */
export function refuseMalformedAttachments(Base: PouchConstructor, Mine: PouchConstructor): void {
  Base.on("ref", (instance: unknown) => {
    const db = instance as GuardedDb;
    if (db.constructor !== Mine || db.__attachmentGuard) return;
    db.__attachmentGuard = true;
    const inner = db.bulkDocs;
    db.bulkDocs = function (this: unknown, ...args: unknown[]) {
      const req = args[0];
      const docs = Array.isArray(req) ? req : isRecord(req) ? req.docs : undefined;
      const problem = Array.isArray(docs) ? attachmentsProblem(docs as Docs) : null;
      if (!problem) return inner.apply(this, args);
      // PouchDB's error shape: express-pouchdb answers `status` with `{ error: name, reason: message }`.
      const error = Object.assign(new Error(problem), { status: 400, name: "bad_request", error: true });
      const callback = args[args.length - 1];
      if (typeof callback === "function") return void callback(error);
      return Promise.reject(error);
    };
  });
}
