/**
 * The renderer's origin. A custom scheme rather than file:// (Electron's security checklist) and
 * rather than a dev server: same code path in development and in production.
 */
export const APP_SCHEME = "app";
export const APP_HOST = "guichet";
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY = `${APP_ORIGIN}/index.html`;

/**
 * True when `url` is a page of the app. WHATWG URL gives custom schemes an opaque origin ("null"),
 * so the scheme and host are compared instead.
 */
export function isAppUrl(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
  } catch {
    return false;
  }
}
