import type { Couch } from "../couch/couch";
import { couchServer } from "../couch/couch-db";
import { type CommuneEntry, ensureRegistry, listCommunes, REGISTRY_DB } from "./registry";

export type RegistryWatch = { reload(): Promise<void>; stop(): Promise<void> };

/**
 * Hands the registry's entries to `onEntries` now and after each change of the registry database
 * (long-poll `_changes`, deletions included): adding a commune needs no restart.
 */
export async function watchRegistry(
  couch: Couch,
  o: { onEntries: (entries: CommuneEntry[]) => Promise<void>; onError: (e: unknown) => void },
): Promise<RegistryWatch> {
  await ensureRegistry(couch);
  const db = couchServer(couch.url, { username: couch.adminUser, password: couch.adminPassword }).db(
    REGISTRY_DB,
  );
  let queue = Promise.resolve();
  // One reload at a time, in order: a commune is never started twice.
  const reload = () => {
    queue = queue.then(async () => o.onEntries(await listCommunes(couch))).catch(o.onError);
    return queue;
  };
  await reload();
  const controller = new AbortController();
  let stopped = false;
  const loop = (async () => {
    let since = "now";
    while (!stopped) {
      try {
        const res = await db.changes({ feed: "longpoll", since, timeout: "25000" }, controller.signal);
        since = typeof res.last_seq === "string" ? res.last_seq : JSON.stringify(res.last_seq);
        if (res.results.length > 0) await reload();
      } catch (e) {
        if (stopped) break;
        o.onError(e);
        await new Promise((r) => setTimeout(r, 2_000));
      }
    }
  })();
  return {
    reload,
    async stop() {
      stopped = true;
      controller.abort();
      await loop;
      await queue;
    },
  };
}
