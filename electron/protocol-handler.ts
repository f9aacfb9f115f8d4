import nodeFs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { mimeTypeOf } from "./mime-types";
import { resolveAppPath } from "./protocol-resolver";

export type ProtocolFs = {
  realpath(p: string): Promise<string>;
  stat(p: string): Promise<{ isFile(): boolean }>;
  readFile(p: string): Promise<Uint8Array>;
};

// The callback forms: Electron's asar support patches them for sure (the app ships inside app.asar).
const defaultFs: ProtocolFs = {
  realpath: promisify(nodeFs.realpath),
  stat: promisify(nodeFs.stat),
  readFile: promisify(nodeFs.readFile),
};

export type AppProtocolOptions = {
  /** dist/renderer */
  root: string;
  /** Read on every response: a configuration change applies at the next page load. */
  csp: () => string;
  fs?: ProtocolFs;
  log?: (message: string) => void;
};

export function securityHeaders(csp: string): Record<string, string> {
  return {
    "Content-Security-Policy": csp,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), usb=(), serial=(), hid=()",
    // The app is rebuilt in place by updates: no stale copy.
    "Cache-Control": "no-cache",
  };
}

/** The handler given to `protocol.handle("app", …)`: files of `root` only, CSP on every answer. */
export function createAppProtocolHandler(opts: AppProtocolOptions): (request: Request) => Promise<Response> {
  const fs: ProtocolFs = opts.fs ?? defaultFs;
  const log = opts.log ?? (() => undefined);
  let realRoot: Promise<string> | undefined;
  const rootPath = () => {
    realRoot ??= fs.realpath(path.resolve(opts.root)).catch((e: unknown) => {
      realRoot = undefined;
      throw e;
    });
    return realRoot;
  };

  const answer = (status: number, text: string) =>
    new Response(text, {
      status,
      headers: { ...securityHeaders(opts.csp()), "Content-Type": "text/plain; charset=utf-8" },
    });

  return async (request) => {
    if (request.method !== "GET" && request.method !== "HEAD") return answer(405, "Méthode non autorisée.");
    const resolved = resolveAppPath(opts.root, request.url);
    if (!resolved.ok) {
      if (resolved.status === 403) log(`[app://] requête refusée (${resolved.reason}) : ${request.url}`);
      return answer(resolved.status, resolved.status === 404 ? "Introuvable." : "Requête refusée.");
    }
    try {
      const root = await rootPath();
      const real = await fs.realpath(resolved.filePath);
      // A symbolic link inside dist/renderer must not lead out of it.
      const rel = path.relative(root, real);
      if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
        log(`[app://] lien hors du dossier refusé : ${request.url}`);
        return answer(403, "Requête refusée.");
      }
      if (!(await fs.stat(real)).isFile()) return answer(404, "Introuvable.");
      const body = request.method === "HEAD" ? null : await fs.readFile(real);
      return new Response(body ? new Uint8Array(body) : null, {
        status: 200,
        headers: { ...securityHeaders(opts.csp()), "Content-Type": mimeTypeOf(real) },
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return answer(404, "Introuvable.");
      log(`[app://] lecture impossible de ${resolved.filePath} : ${(e as Error).message}`);
      return answer(500, "Erreur de lecture.");
    }
  };
}
