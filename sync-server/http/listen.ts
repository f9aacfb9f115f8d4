import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export type TlsFiles = { cert: string; key: string };

/** TLS files from GUICHET_TLS_CERT / GUICHET_TLS_KEY (paths to PEM files); both or neither. */
export function tlsFromEnv(env: NodeJS.ProcessEnv = process.env): TlsFiles | undefined {
  const cert = env.GUICHET_TLS_CERT?.trim();
  const key = env.GUICHET_TLS_KEY?.trim();
  if (!cert && !key) return undefined;
  if (!cert || !key)
    throw new Error(
      "GUICHET_TLS_CERT et GUICHET_TLS_KEY doivent être donnés ensemble (chemins de fichiers PEM).",
    );
  return { cert, key };
}

export type Listening = { server: Server; url: string; port: number; close(): Promise<void> };

/** Starts http or https (when TLS files are given) on `host:port` (0 = a free port). */
export async function listen(
  handler: RequestListener,
  opts: { port: number; host: string; tls?: TlsFiles | undefined },
): Promise<Listening> {
  const server: Server = opts.tls
    ? createHttpsServer({ cert: readFileSync(opts.tls.cert), key: readFileSync(opts.tls.key) }, handler)
    : createHttpServer(handler);
  // Slow clients on a cheap phone need time, but a stalled upload must not hold a socket forever.
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = opts.host === "0.0.0.0" || opts.host === "::" ? "127.0.0.1" : opts.host;
  return {
    server,
    port,
    url: `${opts.tls ? "https" : "http"}://${shownHost}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
