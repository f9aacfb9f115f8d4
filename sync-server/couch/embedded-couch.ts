import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { TlsFiles } from "../http/listen";
import { refuseMalformedAttachments } from "./attachment-guard";
import { databaseGateway } from "./gateway/gateway";
import { DEFAULT_LIMITS } from "./gateway/limits";
import { type InProcessPouch, inProcessPouch } from "./in-process-db";
import { answerUnknownLatestAsMissing } from "./latest-revision-guard";
import {
  type ExpressPouchApp,
  hashAdminPasswords,
  loadExpressPouchDB,
  loadPouchDB,
  type PouchConstructor,
  type PouchInstance,
} from "./pouch-modules";
import { randomPassword, readSecrets, writeSecrets } from "./secrets";
import type { WorkstationRegistry } from "./workstation-registry";

export type EmbeddedCouchOptions = {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  corsOrigins: readonly string[];
  adminUser?: string | undefined;
  adminPassword?: string | undefined;
  /**
   * HTTPS on `port` for the workstations; the server's own clients then use a plain-HTTP
   * listener on a free loopback port (same gateway), so no certificate has to be trusted inside.
   */
  tls?: TlsFiles | undefined;
  /** Registered and revoked workstations, checked by the gateway. */
  workstations?: WorkstationRegistry;
};

export type EmbeddedCouch = {
  /** What the server's own clients use. */
  url: string;
  /** What workstations are given: `url`, or the HTTPS address when TLS is on. */
  publicUrl: string;
  port: number;
  adminUser: string;
  adminPassword: string;
  /** Lets pages of this origin sync from a browser (the counter app served by the sync-server). */
  allowOrigin(origin: string): void;
  /** The same databases without HTTP, for the server's own accounts (in-process-db.ts). */
  inProcess: InProcessPouch;
  stop(): Promise<void>;
};

/** Key of the generated admin password in secrets.json. */
export const SECRET_ADMIN = "embeddedAdminPassword";
const SECRET_COOKIE = "embeddedCookieSecret";

// Not needed by Guichet; the test handler even grants admin rights when enabled in the config.
// disk-size walks the database's folder on every info() call, and the authentication handler
// calls info() on _users for every request: a dozen system calls per request (CouchDB 3 reports
// `sizes`, not `disk_size`, and nothing here reads either).
// http-log formats every request's headers for log levels below the one we set (warning), and
// vhosts (gone in CouchDB 3) rebuilds a whole CouchDB request object for every request.
const EXCLUDED_PARTS = [
  "routes/fauxton",
  "routes/special-test-auth",
  "disk-size",
  "routes/http-log",
  "routes/vhosts",
];

/**
 * PouchDB Server in-process: express-pouchdb over pouchdb-node (LevelDB files under DATA_DIR/pouchdb),
 * on 127.0.0.1 only, behind a plain http layer for CORS. Never in "admin party": the admin is
 * configured before the port opens.
 */
export async function startEmbeddedCouch(options: EmbeddedCouchOptions): Promise<EmbeddedCouch> {
  const dataDir = path.resolve(options.dataDir);
  const dbDir = path.join(dataDir, "pouchdb");
  mkdirSync(dbDir, { recursive: true });
  // Personal data, the cookie secret and hashed passwords live here: owner only.
  chmodSync(dataDir, 0o700);

  const secrets = readSecrets(dataDir);
  const adminUser = options.adminUser ?? "admin";
  const adminPassword = options.adminPassword ?? secrets[SECRET_ADMIN] ?? randomPassword();
  const cookieSecret = secrets[SECRET_COOKIE] ?? randomPassword();
  if (!options.adminPassword && secrets[SECRET_ADMIN] !== adminPassword) {
    writeSecrets(dataDir, { [SECRET_ADMIN]: adminPassword });
  }
  if (secrets[SECRET_COOKIE] !== cookieSecret) writeSecrets(dataDir, { [SECRET_COOKIE]: cookieSecret });

  const BasePouchDB = loadPouchDB();
  const prefix = `${dbDir}${path.sep}`;
  const PouchDB = BasePouchDB.defaults({ prefix });
  const tracker = trackInstances(BasePouchDB, PouchDB);
  // After the tracker: its listener is removed on stop like express-pouchdb's.
  refuseMalformedAttachments(BasePouchDB, PouchDB);
  answerUnknownLatestAsMissing(BasePouchDB, PouchDB);

  // Written before express-pouchdb reads it: the admin exists before the first request ("admin
  // party" never happens), and no config write of ours races with the one it does on load.
  const configPath = path.join(dataDir, "pouchdb-config.json");
  await writePouchConfig(configPath, adminUser, adminPassword, cookieSecret);
  const app = loadExpressPouchDB()({
    mode: "fullCouchDB",
    configPath,
    logPath: path.join(dataDir, "pouchdb.log"),
    overrideMode: { exclude: EXCLUDED_PARTS },
  });
  try {
    await app.setPouchDB(PouchDB);
  } catch (e) {
    tracker.captureListeners();
    await shutDown(app, PouchDB, tracker);
    if (/\bLOCK\b/.test((e as Error).message)) {
      throw new Error(
        `Les données de ${dataDir} sont déjà ouvertes par un autre serveur Guichet : arrêtez-le ou choisissez un autre GUICHET_DATA_DIR.`,
      );
    }
    throw e;
  }
  tracker.captureListeners();

  let port = 0;
  const origins = new Set(options.corsOrigins);
  const handler = databaseGateway(app as unknown as RequestListener, {
    admin: { user: adminUser, password: adminPassword },
    origins,
    port: () => port,
    ...(options.workstations ? { workstations: options.workstations } : {}),
  });
  const server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) }, handler)
    : createServer(handler);
  const internal = options.tls ? createServer(handler) : undefined;
  // Longer than clients' idle pools (fetch, and nano in the tests, keep sockets): a socket the server closes at the very
  // moment a client reuses it gives ECONNRESET, which broke bench:sync under load.
  for (const s of [server, internal]) if (s) s.keepAliveTimeout = 65_000;
  try {
    await listen(server, options.port);
    if (internal) await listen(internal, 0);
  } catch (e) {
    await closeServer(server);
    await shutDown(app, PouchDB, tracker);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new Error(`Le port ${options.port} est déjà utilisé (GUICHET_COUCH_PORT).`);
    throw e;
  }
  const publicPort = (server.address() as AddressInfo).port;
  port = ((internal ?? server).address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    publicUrl: `${options.tls ? "https" : "http"}://127.0.0.1:${publicPort}`,
    port: publicPort,
    adminUser,
    adminPassword,
    allowOrigin: (origin) => void origins.add(origin),
    inProcess: inProcessPouch(app, PouchDB),
    stop() {
      stopping ??= (async () => {
        await closeServer(server);
        if (internal) await closeServer(internal);
        await shutDown(app, PouchDB, tracker);
      })();
      return stopping;
    },
  };
}

type PouchConfigFile = Record<string, Record<string, string> | undefined>;

async function writePouchConfig(
  file: string,
  user: string,
  password: string,
  cookieSecret: string,
): Promise<void> {
  const config = (existsSync(file) ? JSON.parse(readFileSync(file, "utf8")) : {}) as PouchConfigFile;
  config.admins = { ...config.admins, ...(await hashAdminPasswords({ [user]: password })) };
  // A fixed secret keeps AuthSession cookies valid across restarts, as CouchDB does.
  config.couch_httpd_auth = { ...config.couch_httpd_auth, secret: cookieSecret };
  config.log = { ...config.log, level: "warning" };
  // express-pouchdb's limit for every JSON body (decompressed), as CouchDB's max_http_request_size.
  config.couchdb = { ...config.couchdb, max_document_size: String(DEFAULT_LIMITS.maxBodyBytes) };
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Live _changes long-polls would keep the server open for minutes.
    server.closeAllConnections();
  });
}

type Tracker = { instances: Set<PouchInstance>; captureListeners(): void; detach(): void };

/**
 * pouchdb-node's constructor events are process-wide (every class made by `defaults` shares them),
 * and express-pouchdb's `_all_dbs` bookkeeping listens to them. Keep the instances this server opened
 * (to close LevelDB on stop) and remove the listeners its start-up added (so a restarted server in the
 * same process does not leave a stale one writing into a closed database).
 */
function trackInstances(Base: PouchConstructor, Mine: PouchConstructor): Tracker {
  const instances = new Set<PouchInstance>();
  const events = ["created", "destroyed", "ref", "unref"];
  const before = new Map(events.map((e) => [e, new Set(Base.listeners(e))]));
  const added: [string, (...args: unknown[]) => void][] = [];
  const onRef = (db: unknown) => {
    const instance = db as PouchInstance;
    if (instance.constructor === Mine) instances.add(instance);
  };
  const onUnref = (db: unknown) => instances.delete(db as PouchInstance);
  Base.on("ref", onRef);
  Base.on("unref", onUnref);
  return {
    instances,
    captureListeners() {
      for (const e of events) {
        const old = before.get(e) ?? new Set();
        for (const l of Base.listeners(e)) if (!old.has(l)) added.push([e, l]);
      }
    },
    detach() {
      for (const [e, l] of added) Base.removeListener(e, l);
    },
  };
}

async function shutDown(app: ExpressPouchApp, PouchDB: PouchConstructor, tracker: Tracker): Promise<void> {
  await app.daemonManager.stop(PouchDB).catch(() => undefined);
  // Several instances may share one LevelDB store: the first close shuts it, later ones fail harmlessly.
  for (const db of [...tracker.instances]) await db.close().catch(() => undefined);
  tracker.detach();
  app.couchLogger?._stream?.end();
}
