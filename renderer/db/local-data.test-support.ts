import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { afterEach } from "vitest";
import { getRxStorageDexieIndexPages } from "./index-page-storage";
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
