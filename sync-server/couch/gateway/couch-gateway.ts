import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TlsFiles } from "../../http/listen";
import type { WorkstationRegistry } from "../workstation-registry";
import { couchProxy } from "./couch-proxy";
import { databaseGateway } from "./gateway";

export type CouchGateway = { url: string; port: number; stop(): Promise<void> };

/**
 * The same gateway in front of Apache CouchDB 3 (production): workstations talk to this port,
 * CouchDB listens on a private address. It adds the allowlist (CouchDB 3 lets any logged-in user
 * `_replicate`, i.e. make the database fetch any URL, and create Mango indexes), the lockout,
 * the limits and TLS.
 */
export async function startCouchGateway(opts: {
  couchdbUrl: string;
  adminUser: string;
  adminPassword: string;
  port: number;
  host?: string;
  tls?: TlsFiles | undefined;
  corsOrigins: readonly string[];
  workstations?: WorkstationRegistry;
}): Promise<CouchGateway & { allowOrigin(origin: string): void }> {
  let port = 0;
  const origins = new Set(opts.corsOrigins);
  const handler = databaseGateway(couchProxy(opts.couchdbUrl), {
    admin: { user: opts.adminUser, password: opts.adminPassword },
    origins,
    port: () => port,
    couchdb: true,
    ...(opts.workstations ? { workstations: opts.workstations } : {}),
  });
  const server: Server = opts.tls
    ? (createHttpsServer(
        { cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) },
        handler,
      ) as unknown as Server)
    : createServer(handler);
  server.keepAliveTimeout = 65_000;
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return {
    url: `${opts.tls ? "https" : "http"}://${shown}:${port}`,
    port,
    allowOrigin: (origin) => void origins.add(origin),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
