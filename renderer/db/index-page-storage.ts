import { getChangedDocumentsSince, type RxDocumentData, type RxStorage, type RxStorageInstance } from "rxdb";
import {
  DEXIE_DOCS_TABLE_NAME,
  dexieReplaceIfStartsWithPipe,
  fromDexieToStorage,
  getKeyRangeByQueryPlan,
  getRxStorageDexie,
} from "rxdb/plugins/storage-dexie";

type DexieState = {
  dexieDb: { transaction: (...a: unknown[]) => Promise<unknown>; _options: { IDBKeyRange?: unknown } };
  dexieTable: unknown;
  booleanIndexes: string[];
};
/** The longest read served in one getAll: a screen's page, not a bulk read. */
const PAGE_MAX = 500;

type Query = Parameters<RxStorageInstance<unknown, unknown, unknown>["query"]>[0];

/**
 * RxDB's Dexie storage, with one shortcut: a query its index answers alone (selector and sort) and
 * that stops after a page is read with one `getAll(range, limit)`, where RxDB walks a cursor row
 * by row (one round trip to the browser's IndexedDB per row). Same rows, same order: RxDB's own
 * Dexie query keeps every row of that range in index order and cuts at skip + limit. Every other
 * query, and everything else, is RxDB's; so are long reads (the dashboard reads its rows 5,000 at a
 * time, and one getAll of thousands of documents measured no faster than the cursor, bench:dashboard).
 */
export function getRxStorageDexieIndexPages(
  settings?: Parameters<typeof getRxStorageDexie>[0],
): RxStorage<unknown, unknown> {
  const storage = getRxStorageDexie(settings) as unknown as RxStorage<unknown, unknown>;
  const create = storage.createStorageInstance.bind(storage);
  storage.createStorageInstance = async (params) => {
    const instance = await create(params);
    const query = instance.query.bind(instance);
    instance.query = (prepared) =>
      answeredByIndex(prepared)
        ? pageByIndex(instance as unknown as { internals: Promise<DexieState> }, prepared)
        : query(prepared);
    return instance;
  };
  return storage;
}

export function answeredByIndex(prepared: Query): boolean {
  const plan = prepared.queryPlan;
  const limit = prepared.query.limit;
  return (
    plan.selectorSatisfiedByIndex &&
    plan.sortSatisfiedByIndex &&
    typeof limit === "number" &&
    limit > 0 &&
    limit <= PAGE_MAX
  );
}

async function pageByIndex(instance: { internals: Promise<DexieState> }, prepared: Query) {
  const state = await instance.internals;
  const skip = prepared.query.skip ?? 0;
  const count = skip + (prepared.query.limit as number);
  let range: IDBKeyRange;
  try {
    range = getKeyRangeByQueryPlan(
      state.booleanIndexes,
      prepared.queryPlan,
      state.dexieDb._options.IDBKeyRange,
    ) as IDBKeyRange;
  } catch (err) {
    if ((err as Error).name === "DataError") return { documents: [] };
    throw err;
  }
  const name = `[${prepared.queryPlan.index.map((f) => dexieReplaceIfStartsWithPipe(f)).join("+")}]`;
  let raw: unknown[] = [];
  await state.dexieDb.transaction("r", state.dexieTable, async (tx: { idbtrans: IDBTransaction }) => {
    const req = tx.idbtrans.objectStore(DEXIE_DOCS_TABLE_NAME).index(name).getAll(range, count);
    raw = await new Promise<unknown[]>((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  });
  const documents = raw.slice(skip).map((d) => fromDexieToStorage(state.booleanIndexes, d as never));
  return { documents } as never;
}

type Checkpoint = { id: string; lwt: number };

/**
 * RxDB's `getChangedDocumentsSince` (documents in write order after a checkpoint), read with one
 * `getAll` on the `[_meta.lwt+id]` index that the Dexie storage keeps for it, where RxDB's query
 * walks a cursor row by row through its `$or` selector: the replication scans every request it
 * sends this way (bench:sync). Same rows, same order. Any other storage: RxDB's.
 */
export async function changedSince<T>(
  instance: RxStorageInstance<T, unknown, unknown>,
  limit: number,
  checkpoint?: Checkpoint,
): Promise<{ documents: RxDocumentData<T>[]; checkpoint: Checkpoint }> {
  const state = (await instance.internals) as DexieState | undefined;
  if (!state?.dexieDb || !state.dexieTable) return getChangedDocumentsSince(instance, limit, checkpoint);
  const KeyRange = (state.dexieDb._options.IDBKeyRange ?? IDBKeyRange) as typeof IDBKeyRange;
  const range = checkpoint
    ? KeyRange.lowerBound([checkpoint.lwt, checkpoint.id], true)
    : KeyRange.lowerBound([Number.NEGATIVE_INFINITY], false);
  const primary = instance.schema.primaryKey as string;
  let raw: unknown[] = [];
  await state.dexieDb.transaction("r", state.dexieTable, async (tx: { idbtrans: IDBTransaction }) => {
    const req = tx.idbtrans
      .objectStore(DEXIE_DOCS_TABLE_NAME)
      .index(`[_meta.lwt+${primary}]`)
      .getAll(range, limit);
    raw = await new Promise<unknown[]>((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  });
  const documents = raw.map((d) =>
    fromDexieToStorage(state.booleanIndexes, d as never),
  ) as RxDocumentData<T>[];
  const last = documents.at(-1) as (RxDocumentData<T> & Record<string, unknown>) | undefined;
  return {
    documents,
    checkpoint: last
      ? { id: String(last[primary]), lwt: last._meta.lwt }
      : (checkpoint ?? { id: "", lwt: 0 }),
  };
}
