import type { Session, WebContents } from "electron";
import { isAllowedExternalLink, isRequestAllowed } from "./url-policy";

export type GuardDeps = {
  /** shell.openExternal */
  openExternal(url: string): Promise<void> | void;
  log(message: string): void;
};

/** The window never leaves the app: links to listed documentation open in the system browser. */
export function handleLeavingUrl(url: string, deps: GuardDeps): void {
  if (isAllowedExternalLink(url)) {
    void Promise.resolve(deps.openExternal(url)).catch((e: unknown) =>
      deps.log(`[navigation] ouverture impossible de ${url} : ${(e as Error).message}`),
    );
  } else {
    deps.log(`[navigation] refusée : ${url.slice(0, 200)}`);
  }
}

/** Navigation, new windows and <webview> are all refused (Electron security checklist 13–15). */
export function guardWebContents(contents: WebContents, deps: GuardDeps): void {
  contents.on("will-navigate", (event) => {
    event.preventDefault();
    handleLeavingUrl(event.url, deps);
  });
  contents.on("will-frame-navigate", (event) => {
    if (event.isMainFrame) return; // will-navigate above
    event.preventDefault();
    deps.log(`[navigation] cadre refusé : ${event.url.slice(0, 200)}`);
  });
  contents.setWindowOpenHandler(({ url }) => {
    handleLeavingUrl(url, deps);
    return { action: "deny" };
  });
  contents.on("will-attach-webview", (event) => event.preventDefault());
}

/**
 * Permissions denied by default (camera, notifications, geolocation, HID…), and every request
 * outside the app and the configured servers cancelled, whatever the page's CSP says.
 */
export function lockDownSession(
  session: Session,
  opts: { connectOrigins: () => readonly string[]; log(message: string): void },
): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    opts.log(`[permission] refusée : ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isRequestAllowed(details.url, opts.connectOrigins());
    if (!allowed) opts.log(`[réseau] requête bloquée : ${details.url.slice(0, 200)}`);
    callback({ cancel: !allowed });
  });
}
