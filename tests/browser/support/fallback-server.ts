import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEMO_COMMUNE } from "../../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { TRACKING_ALPHABET } from "../../../domain/tracking-number";
import { bootstrap } from "../../../sync-server/bootstrap";
import { connectCouch } from "../../../sync-server/couch";
import type { TestServer } from "./test-server";

/**
 * Stand-in for the sync-server while `startGuichetServer` is not there: the real embedded CouchDB
 * (bootstrapped commune, validate_doc_update, _security), plus the two counter endpoints and the
 * static app. Only used when sync-server/server.ts is missing.
 */
export async function startFallbackServer(appDir: string): Promise<TestServer> {
  const http = createServer();
  await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
  const origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
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
  const boot = await bootstrap(couch, commune, undefined, {
    env: { GUICHET_PORTAL_PASSWORD: "portal-password-1", GUICHET_SERVER_PASSWORD: "server-password-1" },
  });
  let nextCode = TRACKING_ALPHABET.length ** 2 + 100;
  http.on("request", (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((err) => json(res, 500, { errors: [{ field: "", message: String(err) }] }));
  });

  async function agent(req: IncomingMessage): Promise<boolean> {
    const r = await fetch(`${couch.url}/_session`, {
      headers: { Authorization: req.headers.authorization ?? "" },
    });
    const body = (await r.json()) as { userCtx?: { name: string | null } };
    return r.ok && !!body.userCtx?.name;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    if (url.pathname === "/api/v1/workstation/config") {
      if (!(await agent(req)))
        return json(res, 401, { errors: [{ field: "", message: "Identifiant ou mot de passe refusé." }] });
      return json(res, 200, {
        commune: { ...DEMO_COMMUNE, id: commune },
        couchUrl: couch.url,
        databases: { main: boot.databases.main, log: boot.databases.log, config: boot.databases.config },
        catalogue: DEFAULT_CATALOGUE,
      });
    }
    if (url.pathname === "/api/v1/workstations" && req.method === "POST") {
      if (!(await agent(req)))
        return json(res, 401, { errors: [{ field: "", message: "Identifiant ou mot de passe refusé." }] });
      let n = nextCode++;
      let code = "";
      for (let i = 0; i < 3; i++) {
        code = TRACKING_ALPHABET.charAt(n % 31) + code;
        n = Math.floor(n / 31);
      }
      return json(res, 201, { code });
    }
    if (url.pathname.startsWith("/guichet/")) {
      let file = path.join(appDir, path.normalize(url.pathname.slice("/guichet/".length)) || "index.html");
      if (!file.startsWith(appDir) || !existsSync(file) || statSync(file).isDirectory())
        file = path.join(appDir, "index.html");
      const type = file.endsWith(".js")
        ? "text/javascript"
        : file.endsWith(".css")
          ? "text/css"
          : "text/html";
      res.writeHead(200, { "Content-Type": `${type}; charset=utf-8` });
      createReadStream(file).pipe(res);
      return;
    }
    json(res, 404, { errors: [{ field: "", message: "Page introuvable." }] });
  }

  return {
    appUrl: `${origin}/guichet/`,
    apiUrl: origin,
    couchUrl: couch.url,
    adminUser: couch.adminUser,
    adminPassword: couch.adminPassword,
    commune,
    mainDb: boot.databases.main,
    portal: { username: boot.serviceAccounts.portal.name, password: boot.serviceAccounts.portal.password },
    couch,
    onlineApi: false,
    async stop() {
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
      await couch.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

export type { Server };
