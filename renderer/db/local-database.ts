import type { RxStorage } from "rxdb";
import { createGuichetDatabase, type GuichetDatabase } from "./database";
import { getRxStorageDexieIndexPages } from "./index-page-storage";
import { type LocalCollections, localCollections } from "./local-collections";
import { type RequestsRepo, requestsRepo } from "./requests-repo";
import { WordIndex } from "./word-index";

/** Everything the screens read and write on this workstation; the UI never reaches RxDB elsewhere. */
export type LocalData = {
  db: GuichetDatabase;
  repo: RequestsRepo;
  local: LocalCollections;
  /** Every word of the requests' names and subjects, for search (word-index.ts). */
  words: WordIndex;
};

export async function openLocalData(
  name = "guichet",
  storage: RxStorage<unknown, unknown> = getRxStorageDexieIndexPages(),
): Promise<LocalData> {
  const db = await createGuichetDatabase({ name, storage });
  const local = (await db.addCollections(localCollections)) as unknown as LocalCollections;
  const words = new WordIndex(db.requests, local.search_words);
  // Built in the background (a replica from before the index is indexed now); search scans meanwhile.
  void words.catchUp().catch(() => undefined);
  return { db, repo: requestsRepo(db), local, words };
}
