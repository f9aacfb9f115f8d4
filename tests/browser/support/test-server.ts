import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startRealServer, type TestServer } from "./real-server";

export type { TestServer } from "./real-server";

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
