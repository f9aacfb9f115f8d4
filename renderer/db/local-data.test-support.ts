import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import type { RxStorage } from "rxdb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { type LocalData, openLocalData } from "./local-database";

let n = 0;

/** The app's local data on Dexie over fake-indexeddb, as in the browser. */
export function openTestData(): Promise<LocalData> {
  n += 1;
  return openLocalData(
    `t${Date.now().toString(36)}${n}`,
    getRxStorageDexie({ indexedDB, IDBKeyRange }) as RxStorage<unknown, unknown>,
  );
}
