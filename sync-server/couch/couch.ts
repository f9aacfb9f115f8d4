import type { ServerConfig } from "../config";
import { tlsFromEnv } from "../http/listen";
import { CouchError, type CouchServer, couchServer } from "./couch-db";
import { SECRET_ADMIN, startEmbeddedCouch } from "./embedded-couch";
import { startCouchGateway } from "./gateway/couch-gateway";
import type { InProcessPouch } from "./in-process-db";
import { readSecrets } from "./secrets";
import { WorkstationRegistry } from "./workstation-registry";

/** The database server the sync-server talks to, with admin rights. */
export type Couch = {
  /** Base URL, without credentials (what clients are given). */
  url: string;
  /** Embedded with TLS: the HTTPS address for workstations (`url` stays the loopback one). */
  publicUrl?: string;
  /** The server admin's client (couch-db.ts, the one CouchDB client of the server). */
  admin: CouchServer;
  adminUser: string;
  adminPassword: string;
  kind: "embedded" | "couchdb";
  /** Where generated secrets live (secrets.json). */
  dataDir: string;
  /** Stops the embedded server (LevelDB closed); nothing to do for an external CouchDB. */
  stop(): Promise<void>;
  /**
   * Adds origins allowed to sync from a browser (CORS), on top of GUICHET_CORS_ORIGINS: the
   * sync-server adds its own once listening, so the counter app it serves can sync.
   */
  allowOrigins?(origins: readonly string[]): Promise<void>;
  /** Workstations the database gateway (and the API) let in or refuse: shared by both. */
  workstations?: WorkstationRegistry;
  /** Embedded server started by this process: its databases without HTTP (in-process-db.ts). */
  inProcess?: InProcessPouch;
};

export type ConnectOptions = {
  /**
   * Embedded mode only: when a Guichet PouchDB Server already runs on the configured port with this
   * DATA_DIR (its admin password is in secrets.json), talk to it instead of opening LevelDB twice.
   */
  attachToRunning?: boolean;
};

/** Either the embedded PouchDB Server (default) or the CouchDB of COUCHDB_URL. */
export async function connectCouch(config: ServerConfig, options: ConnectOptions = {}): Promise<Couch> {
  const workstations = new WorkstationRegistry(config.workstationIdentity === "required");
  if (config.couchdbUrl) {
    const adminUser = config.adminUser ?? "";
    const adminPassword = config.adminPassword ?? "";
    const couch: Couch = {
      url: config.couchdbUrl,
      admin: adminClient(config.couchdbUrl, adminUser, adminPassword),
      adminUser,
      adminPassword,
      kind: "couchdb",
      dataDir: config.dataDir,
      workstations,
      stop: async () => undefined,
      async allowOrigins(origins) {
        const all = [...new Set([...config.corsOrigins, ...origins])];
        await applyCouchdbCors(couch, all);
      },
    };
    await checkAdmin(couch);
    if (config.corsOrigins.length > 0) await applyCouchdbCors(couch, config.corsOrigins);
    return withGateway(couch, config);
  }
  if (options.attachToRunning) {
    const running = await runningEmbedded(config);
    if (running) return running;
  }
  const server = await startEmbeddedCouch({
    dataDir: config.dataDir,
    port: config.couchPort,
    corsOrigins: config.corsOrigins,
    adminUser: config.adminUser,
    adminPassword: config.adminPassword,
    tls: tlsFromEnv(),
    workstations,
  });
  return {
    url: server.url,
    publicUrl: server.publicUrl,
    admin: adminClient(server.url, server.adminUser, server.adminPassword),
    adminUser: server.adminUser,
    adminPassword: server.adminPassword,
    kind: "embedded",
    dataDir: config.dataDir,
    workstations,
    inProcess: server.inProcess,
    stop: () => server.stop(),
    async allowOrigins(origins) {
      for (const o of origins) server.allowOrigin(o);
    },
  };
}

/**
 * GUICHET_GATEWAY_PORT: the gateway (couch/gateway/) in front of CouchDB on that port, with
 * TLS when GUICHET_TLS_* are set; workstations are given its address, the server keeps talking
 * to CouchDB directly.
 */
async function withGateway(couch: Couch, config: ServerConfig): Promise<Couch> {
  const port = process.env.GUICHET_GATEWAY_PORT?.trim();
  if (!port) return couch;
  if (!/^\d{1,5}$/.test(port)) throw new Error("GUICHET_GATEWAY_PORT : numéro de port attendu.");
  const gateway = await startCouchGateway({
    couchdbUrl: couch.url,
    adminUser: couch.adminUser,
    adminPassword: couch.adminPassword,
    port: Number(port),
    host: process.env.GUICHET_GATEWAY_HOST?.trim() || "127.0.0.1",
    tls: tlsFromEnv(),
    corsOrigins: config.corsOrigins,
    ...(couch.workstations ? { workstations: couch.workstations } : {}),
  });
  return {
    ...couch,
    publicUrl: gateway.url,
    stop: () => gateway.stop(),
    async allowOrigins(origins) {
      for (const o of origins) gateway.allowOrigin(o);
      await couch.allowOrigins?.(origins);
    },
  };
}

export function adminClient(url: string, user: string, password: string): CouchServer {
  return couchServer(url, { username: user, password });
}

async function checkAdmin(couch: Couch): Promise<void> {
  let roles: string[] = [];
  try {
    const session = await couch.admin.request<{ userCtx: { roles: string[] } }>("_session");
    roles = session.userCtx.roles;
  } catch (e) {
    const status = statusOf(e);
    if (status === 401) throw new Error(`CouchDB (${couch.url}) refuse les identifiants administrateur.`);
    throw new Error(`CouchDB injoignable à ${couch.url} : ${(e as Error).message}`);
  }
  if (!roles.includes("_admin")) {
    throw new Error(
      `Le compte « ${couch.adminUser} » n'est pas administrateur du serveur CouchDB ${couch.url}.`,
    );
  }
}

async function runningEmbedded(config: ServerConfig): Promise<Couch | undefined> {
  const password = config.adminPassword ?? readSecrets(config.dataDir)[SECRET_ADMIN];
  if (!password || config.couchPort === 0) return undefined;
  const url = `http://127.0.0.1:${config.couchPort}`;
  try {
    const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as Record<string, unknown>;
    if (!("express-pouchdb" in body)) return undefined;
  } catch {
    return undefined;
  }
  const adminUser = config.adminUser ?? "admin";
  const couch: Couch = {
    url,
    admin: adminClient(url, adminUser, password),
    adminUser,
    adminPassword: password,
    kind: "embedded",
    dataDir: config.dataDir,
    stop: async () => undefined,
  };
  await checkAdmin(couch);
  return couch;
}

/** Server-level configuration: `/_config` on PouchDB Server, `/_node/_local/_config` on CouchDB 3. */
export function serverConfigPath(couch: Pick<Couch, "kind">, section: string, key: string): string {
  const base = couch.kind === "couchdb" ? "_node/_local/_config" : "_config";
  return `${base}/${encodeURIComponent(section)}/${encodeURIComponent(key)}`;
}

export async function getServerConfig(
  couch: Couch,
  section: string,
  key: string,
): Promise<string | undefined> {
  try {
    return await couch.admin.request<string>(serverConfigPath(couch, section, key));
  } catch (e) {
    if (statusOf(e) === 404) return undefined;
    throw e;
  }
}

export async function setServerConfig(
  couch: Couch,
  section: string,
  key: string,
  value: string,
): Promise<boolean> {
  if ((await getServerConfig(couch, section, key)) === value) return false;
  await couch.admin.request(serverConfigPath(couch, section, key), { method: "PUT", body: value });
  return true;
}

/** The embedded server has its own CORS layer; a real CouchDB is told the same origins. */
async function applyCouchdbCors(couch: Couch, origins: readonly string[]): Promise<void> {
  await setServerConfig(couch, "chttpd", "enable_cors", "true");
  await setServerConfig(couch, "cors", "origins", origins.join(","));
  await setServerConfig(couch, "cors", "credentials", "true");
  await setServerConfig(
    couch,
    "cors",
    "headers",
    "accept, authorization, content-type, content-encoding, origin, referer",
  );
  await setServerConfig(couch, "cors", "methods", "GET, PUT, POST, HEAD, DELETE");
}

export function statusOf(e: unknown): number | undefined {
  if (e instanceof CouchError) return e.status;
  const status = (e as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === "number" ? status : undefined;
}
