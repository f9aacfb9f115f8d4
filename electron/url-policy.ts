import { isAppUrl } from "./app-origin";

/** Where a workstation may sync: https anywhere, plain http only to this very machine. */
export type UrlCheck = { ok: true; url: string; origin: string } | { ok: false; message: string };

export const MAX_URL_LENGTH = 2048;
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Documentation the app may open in the system browser (https only, exact host). Everything else
 * a link points at is refused: the counter window never shows remote content.
 */
export const DOCUMENTATION_HOSTS: readonly string[] = [
  "www.service-public.fr",
  "www.legifrance.gouv.fr",
  "www.cnil.fr",
  "www.collectivites-locales.gouv.fr",
];

const fail = (message: string): UrlCheck => ({ ok: false, message });

/** Checks the address of the sync server (or of CouchDB) and gives it back without trailing slash. */
export function checkSyncUrl(input: unknown): UrlCheck {
  if (typeof input !== "string") return fail("une adresse (texte) est attendue.");
  const raw = input.trim();
  if (!raw) return fail("adresse vide.");
  if (raw.length > MAX_URL_LENGTH)
    return fail(`adresse trop longue (${MAX_URL_LENGTH} caractères au maximum).`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
  if (/[\u0000-\u001f\u007f\s]/.test(raw))
    return fail("l'adresse ne doit contenir ni espace ni caractère de contrôle.");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return fail(
      "adresse invalide : une adresse complète est attendue, par exemple https://guichet.mairie.fr.",
    );
  }
  if (u.protocol === "http:" && !LOCAL_HOSTS.has(u.hostname)) {
    return fail(
      "https:// est obligatoire (http:// n'est accepté que vers ce poste : 127.0.0.1 ou localhost).",
    );
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") {
    return fail("seules les adresses https:// sont acceptées (http:// uniquement vers ce poste).");
  }
  if (u.username || u.password) {
    return fail("l'adresse ne doit pas contenir d'identifiants (ils sont demandés à la connexion).");
  }
  if (u.search || u.hash) return fail("l'adresse ne doit contenir ni « ? » ni « # ».");
  const pathname = u.pathname.replace(/\/+$/, "");
  return { ok: true, url: `${u.origin}${pathname}`, origin: u.origin };
}

/** Like checkSyncUrl, for an origin alone (scheme, host, port: no path). */
export function checkSyncOrigin(input: unknown): UrlCheck {
  const checked = checkSyncUrl(input);
  if (!checked.ok) return checked;
  if (checked.url !== checked.origin) {
    return fail("une origine seule est attendue (ex. https://couchdb.mairie.fr:6984), sans chemin.");
  }
  return checked;
}

/** A documentation link the system browser may open; anything else is refused. */
export function isAllowedExternalLink(url: string): boolean {
  try {
    const u = new URL(url);
    return (
      u.protocol === "https:" &&
      !u.username &&
      !u.password &&
      u.port === "" &&
      DOCUMENTATION_HOSTS.includes(u.hostname)
    );
  } catch {
    return false;
  }
}

/**
 * Requests the window's session may make: the app itself, in-memory data, and the configured
 * servers. A second line behind the CSP, which the renderer cannot loosen.
 */
export function isRequestAllowed(url: string, connectOrigins: readonly string[]): boolean {
  if (isAppUrl(url)) return true;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  switch (u.protocol) {
    case "data:":
    case "devtools:":
      return true;
    case "blob:":
      return isAppUrl(url.slice("blob:".length));
    case "http:":
    case "https:":
      return connectOrigins.includes(u.origin);
    default:
      return false;
  }
}
