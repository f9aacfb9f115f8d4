import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import { installPasswordHashing } from "./password-hashing";

// express-pouchdb and pouchdb-node ship no types: the little of their API the embedded server uses.

export type PouchInstance = {
  name: string;
  constructor: unknown;
  __opts?: { prefix?: string };
  close(): Promise<void>;
};

type Listener = (...args: unknown[]) => void;

export type PouchConstructor = {
  new (name: string): PouchInstance;
  defaults(options: { prefix: string }): PouchConstructor;
  on(event: string, listener: Listener): void;
  removeListener(event: string, listener: Listener): void;
  listeners(event: string): Listener[];
};

export type ExpressPouchApp = ((req: IncomingMessage, res: ServerResponse) => void) & {
  setPouchDB(PouchDB: PouchConstructor): Promise<void>;
  daemonManager: { stop(PouchDB: PouchConstructor): Promise<void> };
  couchLogger?: { _stream?: { end(): void } };
};

export type ExpressPouchOptions = {
  mode: "fullCouchDB";
  configPath: string;
  logPath: string;
  overrideMode?: { exclude?: string[] };
};

const require = createRequire(import.meta.url);

export const loadPouchDB = (): PouchConstructor => require("pouchdb-node") as PouchConstructor;

export const loadExpressPouchDB = (): ((options: ExpressPouchOptions) => ExpressPouchApp) => {
  cacheDesignFunctions();
  validateWithKnownDesignDocs();
  installPasswordHashing();
  return require("express-pouchdb") as (options: ExpressPouchOptions) => ExpressPouchApp;
};

type Evaluate = (requireContext: unknown, extraVars: Record<string, unknown>, program: string) => unknown;

/**
 * PouchDB Server's validation plugin compiles every validate_doc_update again for each document
 * written (our generated one is ~36 KB): measured at about 1 ms per document, most of a push's
 * server time. CouchDB compiles a design document once; do the same, keyed by its revision.
 */
function cacheDesignFunctions(): void {
  const couchEval = require("couchdb-eval") as { evaluate: Evaluate & { cached?: true } };
  if (couchEval.evaluate.cached) return;
  const original = couchEval.evaluate;
  const cache = new Map<string, unknown>();
  const cached = ((requireContext, extraVars, program) => {
    const ddoc = requireContext as { _id?: string; _rev?: string } | undefined;
    if (!ddoc?._rev || Object.keys(extraVars ?? {}).length > 0)
      return original(requireContext, extraVars, program);
    const key = `${ddoc._id}@${ddoc._rev}\n${program}`;
    let fn = cache.get(key);
    if (!fn) {
      if (cache.size > 200) cache.clear();
      fn = original(requireContext, extraVars, program);
      cache.set(key, fn);
    }
    return fn;
  }) as Evaluate & { cached?: true };
  cached.cached = true;
  couchEval.evaluate = cached;
}

type DesignDoc = { _id: string; _rev: string; validate_doc_update?: string };
type DesignRow = { id: string; value: { rev: string }; doc?: DesignDoc };
type Doc = { _id?: string; _rev?: string; _deleted?: boolean; _revisions?: unknown; [k: string]: unknown };
type ValidatedDb = {
  name: string;
  __opts?: { prefix?: string };
  type(): string;
  allDocs(opts: object): Promise<{ rows: DesignRow[] }>;
  get(id: string, opts: object): Promise<Doc>;
  info(): Promise<{ db_name: string }>;
};
type Options = { userCtx?: unknown; secObj?: unknown; checkHttp?: boolean };
type Validator = {
  designDoc: DesignDoc;
  func: (this: DesignDoc, newDoc: Doc, oldDoc: Doc | null, userCtx: unknown, secObj: unknown) => void;
};
type WrapperArgs = {
  base: ValidatedDb;
  options: Options;
  doc: Doc;
  docs?: Doc[];
  docId: string;
  attachmentId: string;
  rev: string | null;
  type: string;
  validators?: Promise<Validator[]>;
};
type Handler = (orig: () => Promise<unknown>, args: WrapperArgs) => Promise<unknown>;

const validatorCache = new Map<string, { signature: string; validators: Validator[] }>();
const signatureOf = (rows: DesignRow[]): string => rows.map((r) => `${r.id}@${r.value.rev}`).join("\n");
const DESIGN_RANGE = { startkey: "_design/", endkey: "_design0" };

/**
 * The database's validate_doc_update functions, read as pouchdb-validation reads them (every
 * write sees the design documents of that moment) but from their revisions only: the bodies are
 * read and parsed again only when a revision changed. pouchdb-validation reads every design
 * document in full (our VDU is ~36 KB, the Mango indexes add five more) for every document written.
 */
async function validatorsOf(db: ValidatedDb): Promise<Validator[]> {
  const key = `${db.__opts?.prefix ?? ""}${db.name}`;
  const cached = validatorCache.get(key);
  if (cached && signatureOf((await db.allDocs(DESIGN_RANGE)).rows) === cached.signature)
    return cached.validators;
  const { rows } = await db.allDocs({ ...DESIGN_RANGE, include_docs: true });
  const couchEval = require("couchdb-eval") as { evaluate: Evaluate };
  const validators = rows
    .filter((r) => r.doc?.validate_doc_update !== undefined)
    .map((r) => {
      const designDoc = r.doc as DesignDoc;
      const func = couchEval.evaluate(designDoc, {}, designDoc.validate_doc_update as string);
      return { designDoc, func: func as Validator["func"] };
    });
  if (validatorCache.size > 1_000) validatorCache.clear();
  validatorCache.set(key, { signature: signatureOf(rows), validators });
  return validators;
}

/**
 * pouchdb-validation's wrappers, same checks and same errors, with two savings: the design
 * documents are known by revision (above), and the documents of one `_bulk_docs` share one read
 * of them (CouchDB also validates a batch against the design documents of its start).
 */
function validateWithKnownDesignDocs(): void {
  const validation = require("pouchdb-validation") as Record<string, unknown> & { known?: true };
  if (validation.known) return;
  const wrappers = require("pouchdb-wrappers") as {
    installWrapperMethods(db: unknown, handlers: Record<string, Handler>): void;
    uninstallWrapperMethods(db: unknown, handlers: Record<string, Handler>): void;
  };
  const bulkDocsWrapper = require("pouchdb-bulkdocs-wrapper") as (
    perDoc: (doc: Doc, args: WrapperArgs) => Promise<void>,
  ) => Handler;
  const couchObjects = require("couchdb-objects") as { buildUserContextObject(info: object): unknown };
  const couchEval = require("couchdb-eval") as { wrapExecutionError(e: unknown): Error };
  const PluginError = require("pouchdb-plugin-error") as new (o: {
    name: string;
    message: string;
    status: number;
  }) => Error;

  const run = (validators: Validator[], newDoc: Doc, oldDoc: Doc | null, options: Options) => {
    // pouchdb-validation gives the new document the stored one's revisions; a replicated write
    // (new_edits=false) carries its own, which say where it goes in the tree: keep them, or the
    // write lands on the old revision and does nothing (a sibling would never be stored).
    newDoc._revisions ??= oldDoc?._revisions;
    try {
      for (const v of validators) v.func.call(v.designDoc, newDoc, oldDoc, options.userCtx, options.secObj);
    } catch (e) {
      const thrown = e as { unauthorized?: string; forbidden?: string };
      if (thrown?.unauthorized !== undefined)
        throw new PluginError({ name: "unauthorized", message: thrown.unauthorized, status: 401 });
      if (thrown?.forbidden !== undefined)
        throw new PluginError({ name: "forbidden", message: thrown.forbidden, status: 403 });
      throw couchEval.wrapExecutionError(e);
    }
  };

  async function validate(
    db: ValidatedDb,
    newDoc: Doc,
    options: Options,
    shared: () => Promise<Validator[]> = () => validatorsOf(db),
  ) {
    if (["http", "https"].includes(db.type()) && !options.checkHttp) return;
    const id = String(newDoc._id);
    if (id.startsWith("_design/") || id.startsWith("_local")) return;
    const validators = await shared();
    if (validators.length === 0) return;
    options.secObj ||= {};
    const [userCtx, oldDoc] = await Promise.all([
      options.userCtx ?? db.info().then((info) => couchObjects.buildUserContextObject(info)),
      db.get(id, { revs: true }).catch(() => null),
    ]);
    options.userCtx = userCtx;
    run(validators, newDoc, oldDoc, options);
  }

  const api: Record<string, Handler> = {
    put: async (orig, args) => {
      await validate(args.base, args.doc, args.options);
      return orig();
    },
    post: async (orig, args) => {
      args.doc._id ||= randomUUID();
      await validate(args.base, args.doc, args.options);
      return orig();
    },
    remove: async (orig, args) => {
      args.doc._deleted = true;
      await validate(args.base, args.doc, args.options);
      return orig();
    },
    bulkDocs: bulkDocsWrapper((doc, args) => {
      doc._id ||= randomUUID();
      // Read when a document needs them (a batch of design documents alone does not).
      return validate(args.base, doc, args.options, () => {
        args.validators ??= validatorsOf(args.base);
        return args.validators;
      });
    }),
    putAttachment: async (orig, args) => {
      const doc = await args.base
        .get(args.docId, { rev: args.rev, revs: true })
        .catch(() => ({ _id: args.docId }) as Doc);
      const attachments = (doc._attachments ?? {}) as Record<string, unknown>;
      attachments[args.attachmentId] = { content_type: args.type, data: args.doc };
      doc._attachments = attachments;
      await validate(args.base, doc, args.options);
      return orig();
    },
    removeAttachment: async (orig, args) => {
      const doc = await args.base.get(args.docId, { rev: args.rev, revs: true });
      delete (doc._attachments as Record<string, unknown>)[args.attachmentId];
      await validate(args.base, doc, args.options);
      return orig();
    },
  };
  validation.installValidationMethods = function (this: unknown) {
    wrappers.installWrapperMethods(this, api);
  };
  validation.uninstallValidationMethods = function (this: unknown) {
    wrappers.uninstallWrapperMethods(this, api);
  };
  validation.known = true;
}

/** Hashes admin passwords the way PouchDB Server stores them in its config file. */
export const hashAdminPasswords = (admins: Record<string, string>): Promise<Record<string, string>> =>
  (
    require("pouchdb-auth") as {
      hashAdminPasswords(a: Record<string, string>): Promise<Record<string, string>>;
    }
  ).hashAdminPasswords(admins);
