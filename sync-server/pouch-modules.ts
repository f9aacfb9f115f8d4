import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequire } from "node:module";

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

/** Hashes admin passwords the way PouchDB Server stores them in its config file. */
export const hashAdminPasswords = (admins: Record<string, string>): Promise<Record<string, string>> =>
  (
    require("pouchdb-auth") as {
      hashAdminPasswords(a: Record<string, string>): Promise<Record<string, string>>;
    }
  ).hashAdminPasswords(admins);
