import type { Couch } from "../couch/couch";
import { couchServer } from "../couch/couch-db";
import { type CommuneEntry, communeEntrySchema, ensureRegistry, listCommunes, REGISTRY_DB } from "./registry";

export type RegistryWatch = { reload(): Promise<void>; stop(): Promise<void> };

/** Between two tries while a commune does not start or the registry cannot be read (a database unreachable for a while). */
const RETRY_MS = { first: 2_000, max: 60_000 };

/**
 * Hands the registry's entries to `onEntries` now and after each change of the registry database
 * (long-poll `_changes`, deletions included): adding a commune needs no restart. `onEntries`
 * answers false when a commune could not be started: the same entries are handed again later.
 */
export async function watchRegistry(
  couch: Couch,
  o: {
    onEntries: (entries: CommuneEntry[]) => Promise<boolean>;
    onError: (e: unknown) => void;
  },
): Promise<RegistryWatch> {
  await ensureRegistry(couch);
  const db = couchServer(couch.url, { username: couch.adminUser, password: couch.adminPassword }).db(
    REGISTRY_DB,
  );
  // What the feed said last of each entry it reported (null: deleted). On a cluster `_all_docs`
  // may answer from a shard copy that lacks the change the feed just reported; the feed's word
  // (the document read from the copy that reported it) wins for those entries.
  const reported = new Map<string, CommuneEntry | null>();
  const entries = async (): Promise<CommuneEntry[]> => {
    const listed = new Map((await listCommunes(couch)).map((e) => [e._id, e]));
    for (const [id, entry] of reported) {
      if (entry) listed.set(id, entry);
      else listed.delete(id);
    }
    return [...listed.values()];
  };

  let stopped = false;
  let queue = Promise.resolve();
  let retry: NodeJS.Timeout | undefined;
  let nextRetryMs = RETRY_MS.first;
  const tryAgainLater = () => {
    if (stopped) return;
    retry = setTimeout(() => void reload(), nextRetryMs);
    retry.unref?.();
    nextRetryMs = Math.min(nextRetryMs * 2, RETRY_MS.max);
  };
  // One reload at a time, in order: a commune is never started twice. A commune that did not
  // start, or a registry that could not be read, is tried again on its own.
  const reload = () => {
    queue = queue
      .then(async () => {
        clearTimeout(retry);
        retry = undefined;
        if (!(await o.onEntries(await entries()))) return tryAgainLater();
        nextRetryMs = RETRY_MS.first;
      })
      .catch((e) => {
        o.onError(e);
        tryAgainLater();
      });
    return queue;
  };
  await reload();
  const controller = new AbortController();
  const loop = (async () => {
    let since = "now";
    while (!stopped) {
      try {
        const res = await db.changes(
          { feed: "longpoll", since, timeout: "25000", include_docs: "true" },
          controller.signal,
        );
        since = typeof res.last_seq === "string" ? res.last_seq : JSON.stringify(res.last_seq);
        for (const row of res.results) {
          const parsed = row.deleted ? undefined : communeEntrySchema.safeParse(row.doc);
          reported.set(row.id, parsed?.success ? parsed.data : null);
        }
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
      clearTimeout(retry);
      controller.abort();
      await loop;
      await queue;
    },
  };
}
