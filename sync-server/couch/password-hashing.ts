import { createHmac, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { createRequire } from "node:module";
import { promisify } from "node:util";

/**
 * Password hashes of the embedded server (PouchDB Server's pouchdb-auth stores PBKDF2-SHA1 with
 * 10 iterations and checks it in pure JavaScript). Same document fields as CouchDB 3.4, whose own
 * defaults these are: `password_scheme: "pbkdf2"`, `pbkdf2_prf: "sha256"`, 600,000 iterations
 * (OWASP's figure for PBKDF2-HMAC-SHA256). A weaker stored hash is replaced at the next successful
 * login (Basic or `_session`), as CouchDB's `upgrade_hash_on_auth` does.
 */
export const PASSWORD_ITERATIONS = 600_000;
export const PASSWORD_PRF = "sha256";
/** Every password a person chooses (npm run user:add, any API that sets one). */
export const MIN_PASSWORD_LENGTH = 12;

export type PasswordHash = {
  password_scheme: "pbkdf2";
  pbkdf2_prf: string;
  salt: string;
  iterations: number;
  derived_key: string;
};

type StoredCredentials = {
  salt?: unknown;
  derived_key?: unknown;
  iterations?: unknown;
  pbkdf2_prf?: unknown;
};

const pbkdf2Async = promisify(pbkdf2);
const KEY_LENGTH: Record<string, number> = { sha: 20, sha1: 20, sha256: 32, sha512: 64 };

/** Hashes a new password; `salt` is kept when an existing hash is upgraded (see below). */
export async function hashPassword(password: string, salt = randomBytes(16).toString("hex")) {
  const key = await pbkdf2Async(password, salt, PASSWORD_ITERATIONS, 32, PASSWORD_PRF);
  const hash: PasswordHash = {
    password_scheme: "pbkdf2",
    pbkdf2_prf: PASSWORD_PRF,
    salt,
    iterations: PASSWORD_ITERATIONS,
    derived_key: key.toString("hex"),
  };
  return hash;
}

/** Checks a password against a stored hash of any strength (sha1 when no PRF is recorded). */
export async function verifyPassword(password: string, stored: StoredCredentials): Promise<boolean> {
  const prf = typeof stored.pbkdf2_prf === "string" ? stored.pbkdf2_prf : "sha1";
  const length = KEY_LENGTH[prf];
  const iterations = Number(stored.iterations);
  if (!length || typeof stored.salt !== "string" || typeof stored.derived_key !== "string") return false;
  // CouchDB's own bounds: a forged document must not make the server spin.
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 10_000_000) return false;
  const digest = prf === "sha" ? "sha1" : prf;
  const key = await pbkdf2Async(password, stored.salt, iterations, length, digest);
  const expected = Buffer.from(stored.derived_key, "hex");
  return expected.length === key.length && timingSafeEqual(expected, key);
}

export const isWeakHash = (stored: StoredCredentials): boolean =>
  stored.pbkdf2_prf !== PASSWORD_PRF || Number(stored.iterations) < PASSWORD_ITERATIONS;

/**
 * Credentials already verified, as CouchDB keeps them: a workstation syncing with Basic auth sends
 * its password with every request, and 600,000 iterations cost about half a second. The key is an
 * HMAC (per-process secret) of the name, the password and the stored hash: a new password, hash or
 * salt gives another key, so a changed or removed account is never served from here.
 */
export class VerifiedCredentials {
  private readonly secret = randomBytes(32);
  private readonly entries = new Map<string, number>();
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  has(name: string, password: string, stored: StoredCredentials): boolean {
    const key = this.key(name, password, stored);
    const until = this.entries.get(key);
    if (until === undefined) return false;
    if (until < this.now()) {
      this.entries.delete(key);
      return false;
    }
    this.entries.set(key, this.now() + this.ttlMs);
    return true;
  }

  /**
   * `check` runs once for concurrent requests with the same credentials: a workstation opens
   * several connections at once (pull, push, long-polls), which must not each cost a hash.
   */
  async verify(
    name: string,
    password: string,
    stored: StoredCredentials,
    check: () => Promise<boolean>,
  ): Promise<boolean> {
    if (this.has(name, password, stored)) return true;
    const key = this.key(name, password, stored);
    let running = this.pending.get(key);
    if (!running) {
      running = check().finally(() => this.pending.delete(key));
      this.pending.set(key, running);
    }
    const ok = await running;
    if (ok) this.add(name, password, stored);
    return ok;
  }

  add(name: string, password: string, stored: StoredCredentials): void {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(this.key(name, password, stored), this.now() + this.ttlMs);
  }

  private key(name: string, password: string, stored: StoredCredentials): string {
    const parts = [name, password, stored.salt, stored.derived_key, stored.iterations, stored.pbkdf2_prf];
    return createHmac("sha256", this.secret).update(JSON.stringify(parts)).digest("base64");
  }
}

// pouchdb-auth's internals, as far as they are replaced here.
type UserDoc = StoredCredentials & {
  _id?: string;
  _rev?: string;
  _conflicts?: unknown[];
  name: string;
  roles: string[];
  password?: unknown;
};
type AuthDb = {
  get(id: string, opts: object): Promise<UserDoc>;
  put(doc: UserDoc): Promise<{ rev: string }>;
};
type AuthInfo = { admins: Record<string, UserDoc>; secret: string };
type WrapperArgs = { base: AuthDb; doc: UserDoc };
type Handler = (orig: () => Promise<unknown>, args: WrapperArgs) => Promise<unknown>;
type Nodify = <T>(p: Promise<T>, cb?: unknown) => Promise<T>;

const require = createRequire(import.meta.url);

/**
 * Replaces pouchdb-auth's hashing on write and its login check, before express-pouchdb installs
 * them on `_users` (they are read from these modules then). Idempotent.
 */
export function installPasswordHashing(cache = new VerifiedCredentials()): void {
  const writeWrappers = require("pouchdb-auth/lib/writewrappers") as Record<string, Handler> & {
    strong?: true;
  };
  if (writeWrappers.strong) return;
  const sessionApi = require("pouchdb-auth/lib/sessionapi") as Record<string, unknown>;
  const utils = require("pouchdb-auth/lib/utils") as { dbDataFor(db: unknown): AuthInfo; nodify: Nodify };
  const bulkDocsWrapper = require("pouchdb-bulkdocs-wrapper") as (
    perDoc: (doc: UserDoc, args: WrapperArgs) => Promise<void>,
  ) => Handler;
  const calculateSessionId = require("couchdb-calculate-session-id") as (
    name: string,
    salt: string,
    secret: string,
    timestamp: number,
  ) => string;
  const PluginError = require("pouchdb-plugin-error") as new (o: {
    name: string;
    message: string;
    status: number;
  }) => Error;
  const unauthorized = () =>
    new PluginError({ status: 401, name: "unauthorized", message: "Name or password is incorrect." });

  const hashOnWrite = async (doc: UserDoc) => {
    if (doc.password === undefined || doc.password === null) return;
    Object.assign(doc, await hashPassword(String(doc.password)));
    delete doc.password;
  };
  writeWrappers.put = async (orig, args) => {
    await hashOnWrite(args.doc);
    return orig();
  };
  writeWrappers.post = writeWrappers.put;
  writeWrappers.bulkDocs = bulkDocsWrapper((doc) => hashOnWrite(doc));

  async function logIn(db: AuthDb, name: string, password: string) {
    const info = utils.dbDataFor(db);
    const doc = await credentialsOf(db, info, name);
    if (!doc) throw unauthorized();
    if (!(await cache.verify(name, password, doc, () => verifyPassword(password, doc)))) throw unauthorized();
    // Same salt: the AuthSession cookies already given out (signed with it) stay valid.
    if (doc._id && doc._rev && isWeakHash(doc)) await upgrade(db, doc, password);
    const sessionID = calculateSessionId(
      doc.name,
      String(doc.salt),
      info.secret,
      Math.round(Date.now() / 1000),
    );
    return { ok: true, name: doc.name, roles: doc.roles, sessionID };
  }

  const upgrading = new Map<string, Promise<void>>();
  // One upgrade per account at a time: concurrent logins wait for it rather than hash again.
  function upgrade(db: AuthDb, doc: UserDoc, password: string): Promise<void> {
    let running = upgrading.get(doc.name);
    if (!running) {
      running = rehash(db, doc, password).finally(() => upgrading.delete(doc.name));
      upgrading.set(doc.name, running);
    }
    return running;
  }

  async function rehash(db: AuthDb, doc: UserDoc, password: string): Promise<void> {
    const stronger = { ...doc, ...(await hashPassword(password, String(doc.salt))) };
    try {
      await db.put(stronger);
      cache.add(doc.name, password, stronger);
    } catch {
      // Changed meanwhile (another login upgraded it, an admin set a new password): keep that one.
    }
  }

  sessionApi.multiUserLogIn = function (this: AuthDb, name: string, password: string, callback?: unknown) {
    return utils.nodify(
      logIn(this, name, password).catch((e) => {
        throw e instanceof PluginError ? e : unauthorized();
      }),
      callback,
    );
  };
  writeWrappers.strong = true;
}

/** The account as pouchdb-auth reads it: the user document, or a server admin of the config. */
async function credentialsOf(db: AuthDb, info: AuthInfo, name: string): Promise<UserDoc | undefined> {
  const admin = info.admins[name];
  const doc = await db.get(`org.couchdb.user:${name}`, { conflicts: true }).catch(() => undefined);
  if (!doc) return admin;
  if ((doc._conflicts ?? []).length > 0) return undefined;
  return admin ? { ...admin, roles: ["_admin", ...doc.roles] } : doc;
}
