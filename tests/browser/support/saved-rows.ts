import type { Page } from "playwright-core";

/**
 * How many requests the workstation's saved dashboard rows hold (renderer/db/row-snapshot.ts),
 * read from outside the app: 0 while none are saved. Used by the browser spec and bench:dashboard.
 */
export function savedDashboardRows(page: Pick<Page, "evaluate">): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open("guichet-dashboard");
        // Not there yet: abort the creation, which is the app's to make (with its store).
        open.onupgradeneeded = () => open.transaction?.abort();
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains("snapshots")) return resolve(0);
          const get = db
            .transaction("snapshots", "readonly")
            .objectStore("snapshots")
            .get("guichet/requests");
          get.onsuccess = () => {
            const ids = (get.result as { packed?: { ids: string } } | undefined)?.packed?.ids;
            db.close();
            resolve(ids ? ids.split("\u0000").length : 0);
          };
          get.onerror = () => reject(get.error);
        };
      }),
  );
}
