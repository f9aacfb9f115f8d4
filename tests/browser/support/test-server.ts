import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Couch } from "../../../sync-server/couch";
import { startRealServer } from "./real-server";

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

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const APP_DIR = path.join(ROOT, "dist/renderer");

/** The real sync-server serving the production build of the app (npm run test:browser builds it first). */
export async function startTestServer(): Promise<TestServer> {
  if (!existsSync(path.join(APP_DIR, "index.html"))) {
    throw new Error(
      "dist/renderer absent : lancez d'abord « npx vite build » (npm run test:browser le fait).",
    );
  }
  return startRealServer(APP_DIR);
}
