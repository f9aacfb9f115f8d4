import { DEXIE_DOCS_TABLE_NAME, fromDexieToStorage } from "rxdb/plugins/storage-dexie";

type DexieState = {
  dexieDb: { backendDB(): IDBDatabase; _options: { IDBKeyRange?: typeof IDBKeyRange } };
  booleanIndexes: string[];
};

/** Live documents only: RxDB keeps removed ones as tombstones, `_deleted` stored as "1" ("0" when live). */
const LIVE_INDEX = "[_deleted+id]";

const opened = new WeakMap<object, Promise<RawReads>>();

/** Bounds of a range of primary keys; open (exclusive) unless said otherwise. */
export type KeyRange = { from: string; fromOpen?: boolean; to: string; toOpen?: boolean };

/**
 * Reads straight from the IndexedDB table behind one of RxDB's Dexie storage instances, for the
 * few hot paths where RxDB's own reads cost more than the data: primary keys of a range without
 * the documents (IndexedDB hands over keys an order of magnitude cheaper than values), and
 * documents by id without Dexie's bulkGet. Read-only; writes stay RxDB's.
 */
export class RawReads {
  private constructor(private readonly state: DexieState) {}

  /** The reads of a storage instance (one per instance, kept as long as it is). */
  static of(instance: object): Promise<RawReads> {
    let reads = opened.get(instance);
    if (!reads) {
      reads = RawReads.open(instance);
      opened.set(instance, reads);
    }
    return reads;
  }

  private static async open(instance: object): Promise<RawReads> {
    const state = await (instance as { internals?: Promise<DexieState> }).internals;
    if (!state?.dexieDb?.backendDB)
      throw new Error("Lecture directe impossible : la base locale n'est pas IndexedDB.");
    return new RawReads(state);
  }

  private store(): IDBObjectStore {
    return this.state.dexieDb
      .backendDB()
      .transaction(DEXIE_DOCS_TABLE_NAME, "readonly")
      .objectStore(DEXIE_DOCS_TABLE_NAME);
  }

  private range(r: KeyRange): IDBKeyRange {
    // The storage's own IDBKeyRange (fake-indexeddb's in Node tests).
    const Range = this.state.dexieDb._options.IDBKeyRange ?? IDBKeyRange;
    return Range.bound(["0", r.from], ["0", r.to], r.fromOpen === true, r.toOpen !== false);
  }

  /** Ids of the live documents in the range, in id order, at most `limit`. */
  ids(r: KeyRange, limit?: number): Promise<string[]> {
    return done(this.store().index(LIVE_INDEX).getAllKeys(this.range(r), limit)) as Promise<string[]>;
  }

  /** The last live id in the range, if any. */
  async lastId(r: KeyRange): Promise<string | undefined> {
    const cursor = await done(this.store().index(LIVE_INDEX).openKeyCursor(this.range(r), "prev"));
    return cursor ? String(cursor.primaryKey) : undefined;
  }

  /** The live documents with these ids, in storage's form (as RxDB's findDocumentsById), in the order given. */
  async documents<T>(ids: readonly string[]): Promise<T[]> {
    if (ids.length === 0) return [];
    const store = this.store();
    const rows = await Promise.all(ids.map((id) => done(store.get(id))));
    const live = rows.filter((d) => d !== undefined && (d as { _deleted?: unknown })._deleted !== "1");
    return live.map((d) => fromDexieToStorage(this.state.booleanIndexes, d as never) as T);
  }
}

function done<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}
