import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { createRxDatabase, type RxDatabase } from "rxdb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { afterEach } from "vitest";
import { getRxStorageDexieIndexPages } from "./index-page-storage";
import { type LocalCollections, localCollections } from "./local-collections";
import { type LocalData, openLocalData } from "./local-database";

let n = 0;

/** The app's local data on Dexie over fake-indexeddb, as in the browser. */
export function openTestData(): Promise<LocalData> {
  n += 1;
  return openLocalData(
    `t${Date.now().toString(36)}${n}`,
    getRxStorageDexieIndexPages({ indexedDB, IDBKeyRange }),
  );
}

/** A fresh local database per call, each removed after the test that opened it. */
export function localDataPerTest(): () => Promise<LocalData> {
  const open: LocalData[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.db.remove();
  });
  return async () => {
    const d = await openTestData();
    open.push(d);
    return d;
  };
}

/**
 * Only the immediate answers' collection: several workstations in one test process would
 * otherwise open more collections than RxDB's free edition allows (13).
 */
export async function openQuickAnswersOnly(): Promise<{
  db: RxDatabase;
  local: Pick<LocalCollections, "quick_answers">;
}> {
  n += 1;
  const db = await createRxDatabase({
    name: `qa${Date.now().toString(36)}${n}`,
    storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
  });
  const { quick_answers } = (await db.addCollections({
    quick_answers: localCollections.quick_answers,
  })) as unknown as Pick<LocalCollections, "quick_answers">;
  return { db, local: { quick_answers } };
}
