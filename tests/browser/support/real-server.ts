import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Couch, connectCouch } from "../../../sync-server/couch/couch";
import { databaseNames } from "../../../sync-server/couch/database-names";
import { startGuichetServer } from "../../../sync-server/server";

/** A running server for browser specs, with what a spec needs to seed and inspect it. */
export type TestServer = {
  /** The counter app, served by the server. */
  appUrl: string;
  /** The sync-server (API, portal). */
  apiUrl: string;
  couchUrl: string;
  adminUser: string;
  adminPassword: string;
  commune: string;
  mainDb: string;
  couch: Couch;
  stop(): Promise<void>;
};

const SERVICE_PASSWORDS = {
  GUICHET_PORTAL_PASSWORD: "portal-browser-test",
  GUICHET_SERVER_PASSWORD: "server-browser-test",
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The real sync-server (portal, API, the built app at /guichet/) on the embedded CouchDB, in a
 * fresh data directory and commune. CouchDB listens on its own port: the app's origin is allowed
 * by CORS, as in production.
 */
export async function startRealServer(appDir: string): Promise<TestServer> {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-browser-"));
  const commune = `bt-${Date.now().toString(36)}`;
  const couch = await connectCouch({
    couchdbUrl: undefined,
    adminUser: undefined,
    adminPassword: undefined,
    dataDir,
    couchPort: 0,
    corsOrigins: [origin],
    commune,
  });
  const server = await startGuichetServer({
    couch,
    commune,
    port,
    env: { ...SERVICE_PASSWORDS, GUICHET_DATA_DIR: dataDir },
    rendererDir: appDir,
    jobs: false,
    limits: { submitPerMinute: null },
    log: () => undefined,
  });
  return {
    appUrl: `${server.url}/guichet/`,
    apiUrl: server.url,
    couchUrl: couch.url,
    adminUser: couch.adminUser,
    adminPassword: couch.adminPassword,
    commune,
    mainDb: databaseNames(commune).main,
    couch,
    async stop() {
      await server.stop();
      await couch.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
