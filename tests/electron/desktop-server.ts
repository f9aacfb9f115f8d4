import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DESKTOP_ORIGIN } from "../../electron/launch";
import { connectCouch } from "../../sync-server/couch/couch";
import { startGuichetServer } from "../../sync-server/server";

export type DesktopServer = { url: string; couchUrl: string; stop(): Promise<void> };

/** The real sync-server on the embedded CouchDB, with the desktop app's origin allowed by CORS. */
export async function startDesktopServer(rendererDir: string): Promise<DesktopServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-electron-server-"));
  const commune = `el-${Date.now().toString(36)}`;
  const couch = await connectCouch({
    couchdbUrl: undefined,
    adminUser: undefined,
    adminPassword: undefined,
    dataDir,
    couchPort: 0,
    corsOrigins: [DESKTOP_ORIGIN],
    commune,
  });
  const server = await startGuichetServer({
    couch,
    commune,
    port: 0,
    env: {
      GUICHET_DATA_DIR: dataDir,
      GUICHET_PORTAL_PASSWORD: "portal-electron-test",
      GUICHET_SERVER_PASSWORD: "server-electron-test",
    },
    rendererDir,
    jobs: false,
    log: () => undefined,
  });
  return {
    url: server.url,
    couchUrl: couch.url,
    async stop() {
      await server.stop();
      await couch.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
