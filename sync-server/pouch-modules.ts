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

export const loadExpressPouchDB = (): ((options: ExpressPouchOptions) => ExpressPouchApp) =>
  require("express-pouchdb") as (options: ExpressPouchOptions) => ExpressPouchApp;

/** Hashes admin passwords the way PouchDB Server stores them in its config file. */
export const hashAdminPasswords = (admins: Record<string, string>): Promise<Record<string, string>> =>
  (
    require("pouchdb-auth") as {
      hashAdminPasswords(a: Record<string, string>): Promise<Record<string, string>>;
    }
  ).hashAdminPasswords(admins);
