import Dexie, { type Table } from "dexie";
import { from, type Observable, Subject, startWith, switchMap } from "rxjs";
import type { GuichetDatabase } from "./database";

/** A request changed here that the server does not hold yet, since when. */
export type PendingMarker = { id: string; at: string };

/**
 * What the replication knows of each request on the server, in a few bytes: the server's revision
 * it last saw or wrote (`rev`, the base of the next update), and the height of the local revision
 * that equals it (`h`). A request whose local revision is higher has changes to send. `rejectedH`:
 * the local revision the server refused, not sent again until it changes. Rows whose id starts
 * with "#" are the replication's checkpoints (`rev` holds the position, JSON).
 */
export type SyncState = { id: string; rev: string; h: number; rejectedH?: number };

type DexieSettings = { indexedDB?: unknown; IDBKeyRange?: unknown };

/**
 * The small rows beside the replica that say where each request stands with the server: the
 * pending markers (what the sync screen lists and the supervisor counts) and the replication's
 * state. They live in plain IndexedDB tables, not in RxDB collections: RxDB writes each row with a
 * revision, metadata and a change event, and for a push of 5,000 requests that cost more than the
 * sending itself (bench:sync). The database is named after the replica's storage token, which a
 * replica removed and created again does not share: no row outlives its replica.
 */
export function syncLedger(db: GuichetDatabase): Promise<SyncLedger> {
  let ledger = ledgers.get(db);
  if (!ledger) {
    ledger = openLedger(db);
    ledgers.set(db, ledger);
  }
  return ledger;
}
const ledgers = new WeakMap<GuichetDatabase, Promise<SyncLedger>>();

async function openLedger(db: GuichetDatabase) {
  const token = await db.storageToken;
  // The same IndexedDB as the replica (fake-indexeddb in the tests, the page's in the app).
  const settings = (db.storage as { settings?: DexieSettings }).settings ?? {};
  const dexie = new Dexie(`${db.name}--ledger--${token}`, {
    ...(settings.indexedDB ? { indexedDB: settings.indexedDB as IDBFactory } : {}),
    ...(settings.IDBKeyRange ? { IDBKeyRange: settings.IDBKeyRange as typeof IDBKeyRange } : {}),
  });
  dexie.version(1).stores({ pending: "id,at", state: "id" });
  const tables = dexie as unknown as {
    pending: Table<PendingMarker, string>;
    state: Table<SyncState, string>;
  };
  await dexie.open();
  db.onClose.push(() => dexie.close());
  const { pending, state } = tables;
  // Every write to the markers goes through here (one ledger per replica): they tick this, and the
  // live counts read again. Dexie's own liveQuery needs a global indexedDB, which the tests lack.
  const markersChanged = new Subject<void>();
  const live = <T>(read: () => Promise<T>): Observable<T> =>
    markersChanged.pipe(
      startWith(undefined),
      switchMap(() => from(read())),
    );
  const changing = <T>(write: Promise<T>) => write.finally(() => markersChanged.next());

  return {
    /** Marks requests changed here. */
    markPending: (ids: readonly string[], at = new Date().toISOString()) =>
      changing(pending.bulkPut(ids.map((id) => ({ id, at })))).then(() => undefined),
    /** Marks requests changed here, each since the time of its change ([id, epoch ms]). */
    markPendingAt: (changes: readonly (readonly [string, number])[]) =>
      changes.length === 0
        ? Promise.resolve()
        : changing(pending.bulkPut(changes.map(([id, ms]) => ({ id, at: new Date(ms).toISOString() })))).then(
            () => undefined,
          ),
    /**
     * The server holds these requests' local state. A backlog sent in order clears markers that
     * follow one another (a workstation's tracking numbers): one range deleted rather than one
     * request per marker, when nothing else is marked in between.
     */
    clearPending: (ids: readonly string[]) =>
      ids.length === 0
        ? Promise.resolve()
        : changing(
            dexie.transaction("rw", pending, async () => {
              const sorted = [...ids].sort();
              const range = pending.where("id").between(sorted[0]!, sorted.at(-1)!, true, true);
              const cleared = new Set(sorted);
              const inRange = (await range
                .clone()
                .limit(sorted.length + 1)
                .primaryKeys()) as string[];
              if (inRange.length > 1 && inRange.every((id) => cleared.has(id))) await range.delete();
              else await pending.bulkDelete(sorted);
            }),
          ),
    isPending: async (id: string) => (await pending.get(id)) !== undefined,
    pendingIds: () => pending.toCollection().primaryKeys() as Promise<string[]>,
    oldestPendingAt: async () => (await pending.orderBy("at").first())?.at,
    /** The first `limit` markers by id and how many there are, live. */
    pending$(limit: number): Observable<{ markers: PendingMarker[]; total: number }> {
      return live(async () => {
        const [markers, total] = await Promise.all([
          pending.orderBy("id").limit(limit).toArray(),
          pending.count(),
        ]);
        return { markers, total };
      });
    },
    pendingCount$: (): Observable<number> => live(() => pending.count()),

    async readState(ids: readonly string[]): Promise<Map<string, SyncState>> {
      if (ids.length === 0) return new Map();
      const rows = await state.bulkGet([...ids]);
      return new Map(rows.flatMap((r) => (r ? [[r.id, r] as const] : [])));
    },
    /** Whether any request's state is recorded (the checkpoints, "#…", aside): none on a replica never synced. */
    async holdsStates(): Promise<boolean> {
      return (await state.filter((r) => !r.id.startsWith("#")).first()) !== undefined;
    },
    /** Only the replication writes these, one step at a time: plain puts are enough. */
    async writeState(rows: readonly SyncState[]): Promise<void> {
      if (rows.length > 0) await state.bulkPut([...rows]);
    },
  };
}
export type SyncLedger = Awaited<ReturnType<typeof openLedger>>;
