import { createReadStream, existsSync, statSync } from "node:fs";
import path from "node:path";
import { servedContentType } from "../../domain/file-type";
import { HttpError } from "./errors";
import type { Handler } from "./router";

/**
 * The built counter app (a single-page app): real files when they exist, index.html for every
 * other path under the prefix so the app's own routes survive a reload. Never leaves `root`.
 */
export function staticApp(root: string, prefix: string): Handler {
  const base = path.resolve(root);
  return (ctx) => {
    let rel = ctx.url.pathname.slice(prefix.length);
    try {
      rel = decodeURIComponent(rel);
    } catch {
      throw new HttpError(400, "Adresse invalide.");
    }
    let file = path.resolve(base, `.${path.posix.normalize(`/${rel}`)}`);
    if (file !== base && !file.startsWith(base + path.sep)) throw new HttpError(404, "Page introuvable.");
    if (!existsSync(file) || statSync(file).isDirectory()) file = path.join(base, "index.html");
    if (!existsSync(file)) throw new HttpError(404, "Page introuvable.");
    const hashed = /[-.][A-Za-z0-9_]{8,}\.(js|css|woff2|png|svg)$/.test(file);
    ctx.res.writeHead(200, {
      "Content-Type": servedContentType(file),
      "Content-Length": String(statSync(file).size),
      // Vite's hashed assets never change; index.html must always be fresh.
      "Cache-Control": hashed ? "public, max-age=31536000, immutable" : "no-cache",
    });
    if (ctx.req.method === "HEAD") {
      ctx.res.end();
      return;
    }
    createReadStream(file).pipe(ctx.res);
  };
}
