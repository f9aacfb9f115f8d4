import type { LocalData } from "../db/local-database";
import { setWorkstationIdentity } from "./http";

/** What the agent reads after the wipe (kept across the reload, nothing personal in it). */
export type RevokedNotice = { at: string; code?: string };

const NOTICE_KEY = "guichet.revoked.v1";
/** Every key the app stores starts with this: settings, configuration, offline credentials, preferences. */
const APP_PREFIX = "guichet.";

/**
 * Erases everything this workstation holds once the server says it is revoked: the local replica
 * (requests, pending work, immediate answers, attachments, fleet rows), every other IndexedDB
 * database of the page, the cached credentials and configuration, and any offline caches. Work
 * never synced is lost, as the supervisor was told before revoking. Then leaves a notice saying why.
 */
export async function wipeWorkstation(data: LocalData | null, code?: string): Promise<void> {
  setWorkstationIdentity(null);
  await data?.db.remove().catch(() => undefined);
  const idb = globalThis.indexedDB;
  if (idb && typeof idb.databases === "function") {
    const all = await idb.databases().catch(() => []);
    await Promise.all(
      all.map(
        (d) =>
          new Promise<void>((resolve) => {
            if (!d.name) return resolve();
            const req = idb.deleteDatabase(d.name);
            req.onsuccess = req.onerror = req.onblocked = () => resolve();
          }),
      ),
    );
  }
  if (typeof localStorage !== "undefined") {
    for (const key of Object.keys(localStorage)) if (key.startsWith(APP_PREFIX)) localStorage.removeItem(key);
  }
  if (typeof sessionStorage !== "undefined") sessionStorage.clear();
  if (typeof caches !== "undefined") {
    for (const key of await caches.keys().catch(() => [])) await caches.delete(key).catch(() => false);
  }
  const notice: RevokedNotice = { at: new Date().toISOString(), ...(code ? { code } : {}) };
  if (typeof localStorage !== "undefined") localStorage.setItem(NOTICE_KEY, JSON.stringify(notice));
}

export function revokedNotice(): RevokedNotice | null {
  try {
    return JSON.parse(localStorage.getItem(NOTICE_KEY) ?? "null") as RevokedNotice | null;
  } catch {
    return null;
  }
}

/** The agent has read it: the workstation may be set up again (a new code, from a supervisor's account). */
export function clearRevokedNotice(): void {
  localStorage.removeItem(NOTICE_KEY);
}

export { onWorkstationRevoked } from "./http";
