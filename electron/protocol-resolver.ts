import path from "node:path";
import { APP_HOST, APP_SCHEME } from "./app-origin";

export type Resolved =
  | { ok: true; filePath: string }
  | { ok: false; status: 400 | 403 | 404; reason: string };

export const MAX_PATH_LENGTH = 1024;

/**
 * Maps app://guichet/<path> to a file under `root`, refusing anything that could leave it:
 * ".." and "." segments (encoded or not), encoded slashes, backslashes, drive letters and
 * alternate streams (":"), NUL and control characters, hidden files. Pure: the caller reads the file.
 */
export function resolveAppPath(root: string, requestUrl: string): Resolved {
  let u: URL;
  try {
    u = new URL(requestUrl);
  } catch {
    return { ok: false, status: 400, reason: "adresse illisible" };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST || u.username || u.password) {
    return { ok: false, status: 404, reason: "hors de l'application" };
  }
  const rawPath = u.pathname;
  if (rawPath.length > MAX_PATH_LENGTH) return { ok: false, status: 400, reason: "chemin trop long" };
  if (rawPath.includes("\\") || /%5c/i.test(rawPath)) {
    return { ok: false, status: 403, reason: "barre oblique inverse" };
  }
  const segments: string[] = [];
  for (const raw of rawPath.split("/")) {
    if (raw === "") continue;
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400, reason: "encodage invalide" };
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
    if (seg.startsWith(".") || /[/\\:\u0000-\u001f\u007f]/.test(seg)) {
      return { ok: false, status: 403, reason: "segment refusé" };
    }
    segments.push(seg);
  }
  if (segments.length === 0 || rawPath.endsWith("/")) segments.push("index.html");
  const base = path.resolve(root);
  const filePath = path.resolve(base, ...segments);
  const rel = path.relative(base, filePath);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
    return { ok: false, status: 403, reason: "hors du dossier de l'application" };
  }
  return { ok: true, filePath };
}
