import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Couch } from "../../../sync-server/couch";

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
  portal: { username: string; password: string };
  couch: Couch;
  /** The server has the public JSON API (POST /api/v1/requests). */
  onlineApi: boolean;
  stop(): Promise<void>;
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const APP_DIR = path.join(ROOT, "dist/renderer");
const SERVER_DIR = path.join(ROOT, "sync-server");

/** The real sync-server when it is there, else the stand-in (embedded CouchDB + counter endpoints). */
export async function startTestServer(): Promise<TestServer> {
  if (!existsSync(path.join(APP_DIR, "index.html"))) {
    throw new Error(
      "dist/renderer absent : lancez d'abord « npx vite build » (npm run test:browser le fait).",
    );
  }
  if (existsSync(path.join(SERVER_DIR, "server.ts"))) {
    const { startRealServer } = await import("./real-server");
    return startRealServer(APP_DIR);
  }
  const { startFallbackServer } = await import("./fallback-server");
  return startFallbackServer(APP_DIR);
}
