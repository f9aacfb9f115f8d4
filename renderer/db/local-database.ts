import type { RxStorage } from "rxdb";
import { createGuichetDatabase, type GuichetDatabase } from "./database";
import { getRxStorageDexieIndexPages } from "./index-page-storage";
import { type LocalCollections, localCollections } from "./local-collections";
import { type RequestsRepo, requestsRepo } from "./requests-repo";

/** Everything the screens read and write on this workstation; the UI never reaches RxDB elsewhere. */
export type LocalData = {
  db: GuichetDatabase;
  repo: RequestsRepo;
  local: LocalCollections;
};

export async function openLocalData(
  name = "guichet",
  storage: RxStorage<unknown, unknown> = getRxStorageDexieIndexPages(),
): Promise<LocalData> {
  const db = await createGuichetDatabase({ name, storage });
  const local = (await db.addCollections(localCollections)) as unknown as LocalCollections;
  return { db, repo: requestsRepo(db), local };
}
