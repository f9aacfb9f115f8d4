import { replicateRxCollection } from "rxdb/plugins/replication";
import { debounceTime, filter, firstValueFrom, merge, Subject } from "rxjs";
import type { GuichetRequest } from "../../domain/request";
import type { GuichetDatabase } from "../db/database";
import { type CouchClient, couchClient } from "./couch-client";
import type { Credentials, FetchLike } from "./http";
import { type Checkpoint, type Seq, withSeq } from "./requests/checkpoints";
import type { Doc } from "./requests/couch-docs";
import { pendingFlags } from "./requests/flags";
import { longPoll, wakeableSleep } from "./requests/long-poll";
import { pullBatch } from "./requests/pull";
import { purgeHandedOver } from "./requests/purge";
import { handOver as handOverDocs, pushTo as pushToDb } from "./requests/push";
import type { PushRow } from "./requests/push-plan";
import { reconcileMarks } from "./requests/reconcile";
import { groupBy, replicationSources, requestRouter } from "./requests/routing";
import { syncStatusTracker } from "./requests/status";
import { isReplicationWrapper } from "./sync-messages";

export type { SyncStatus } from "./requests/status";

/**
 * Replication of the requests collection with one CouchDB database, through RxDB's generic
 * replication and our own handlers rather than its CouchDB plugin (whose push checks `_all_docs`
 * before every batch and stalls the whole batch on one refused document):
 * - push writes new documents directly (no `_all_docs` check before each batch: they cannot
 *   conflict unless a previous push's answer was lost, which the `conflict` row tells us);
 * - a document the server refuses is flagged and kept, and never blocks the rest of the batch;
 * - pull skips design documents and turns deletion stubs into tombstones;
 * - one long-poll connection for live changes, with backoff while the line is down.
 */
export type RequestReplicationOptions = {
  db: GuichetDatabase;
  dbUrl: string;
  auth: Credentials;
  fetch?: FetchLike;
  pullBatchSize?: number;
  /** Documents per `_bulk_docs`; RxDB hands the push PUSH_CHUNKS times as many at once. */
  pushBatchSize?: number;
  live?: boolean;
  retryMs?: number;
  longpollMs?: number;
  identifier?: string;
  /** How often leftover pending/refused flags are checked against the server. */
  reconcileMs?: number;
  /** The sensitive services' databases this account may hold, by service id (same credentials). */
  sensitiveDbUrls?: Record<string, string>;
  /**
   * Sensitive requests of the services this workstation may not hold: sent to the server's
   * hand-over (sync-server/api/handover.ts), then removed from this workstation `keepMs` after
   * their last change (time to print the accusé de réception).
   */
  handover?: { url: string; services: readonly string[]; keepMs?: number };
};

export const DEFAULT_BATCH = { pull: 500, push: 250 };
/**
 * RxDB reads, checks and records (its meta data) what it pushes one batch at a time, and nothing
 * goes on the wire meanwhile: handing the push several `_bulk_docs` worth at once, sent one after
 * the other, spreads that local work over more documents (bench:sync, BENCH_PROFILE timeline).
 */
const PUSH_CHUNKS = 4;

/** Starts the requests' replication: the steps live in ./requests/, this wires them to RxDB. */
export function startRequestReplication(opts: RequestReplicationOptions) {
  const { db } = opts;
  const client: CouchClient = couchClient(opts.dbUrl, opts.auth, opts.fetch);
  const sources = replicationSources(client, opts.sensitiveDbUrls ?? {}, opts.auth, opts.fetch);
  const handoverServices = new Set(opts.handover?.services ?? []);
  const targetOf = requestRouter(sources, handoverServices);
  const status = syncStatusTracker(db);
  const flags = pendingFlags(db);
  const pullSize = opts.pullBatchSize ?? DEFAULT_BATCH.pull;
  const wireSize = opts.pushBatchSize ?? DEFAULT_BATCH.push;
  // The newest position known per database, so a live change from one does not rewind the others.
  let latest: Checkpoint | undefined;
  // Where a pull last reached the end of each database's feed: the live feed starts there.
  const pulledToEnd = new Map<string, Seq>();
  const pullReachedEnd = new Subject<void>();
  const stoppedNow = new Subject<void>();
  const stream$ = new Subject<{ documents: Doc[]; checkpoint: Checkpoint } | "RESYNC">();
  let stopped = false;
  const abort = new AbortController();
  // Clearing marks is off the push's critical path: the next batch goes on the wire meanwhile.
  let confirmations: Promise<void> = Promise.resolve();
  const confirm = (pushed: GuichetRequest[]) => {
    confirmations = confirmations.then(() => flags.confirmPushed(pushed)).catch(() => {});
  };

  async function guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      status.succeeded();
      return out;
    } catch (err) {
      status.failed(err);
      throw err;
    }
  }

  async function pull(checkpoint: Checkpoint | undefined, batchSize: number) {
    const out = await pullBatch(sources, checkpoint, batchSize, (key, seq) => {
      pulledToEnd.set(key, seq);
      pullReachedEnd.next();
    });
    latest = out.checkpoint;
    return out;
  }

  async function push(rows: PushRow[]): Promise<Doc[]> {
    await flags.loaded;
    const conflicts: Doc[] = [];
    const pushed: GuichetRequest[] = [];
    try {
      for (const [target, group] of groupBy(rows, (r) => targetOf(r.newDocumentState))) {
        if (target === "handover") pushed.push(...(await handOverAll(group.map((r) => r.newDocumentState))));
        else conflicts.push(...(await pushTo(target.client, group, pushed)));
      }
    } finally {
      // One pass over the marks per call (not per `_bulk_docs`), even when a later batch failed.
      confirm(pushed);
    }
    return conflicts;
  }

  async function pushTo(target: CouchClient, rows: PushRow[], pushed: GuichetRequest[]): Promise<Doc[]> {
    const conflicts: Doc[] = [];
    for (let i = 0; i < rows.length; i += wireSize) {
      const out = await pushToDb(target, rows.slice(i, i + wireSize), flags);
      pushed.push(...out.pushed);
      conflicts.push(...out.conflicts);
    }
    return conflicts;
  }

  const handOverAll = (docs: GuichetRequest[]) =>
    handOverDocs(docs, opts.handover, opts.auth, flags, opts.fetch);

  async function handOver(docs: GuichetRequest[]): Promise<void> {
    confirm(await handOverAll(docs));
  }

  async function reconcilePending(): Promise<void> {
    await reconcileMarks(db, flags, targetOf, handOver, () => active || stopped);
    if (opts.handover) {
      await purgeHandedOver(db, {
        services: handoverServices,
        keepMs: opts.handover.keepMs ?? 15 * 60_000,
        isRejected: flags.isRejected,
      });
    }
  }

  const replication = replicateRxCollection<GuichetRequest, Checkpoint>({
    collection: db.requests,
    replicationIdentifier: opts.identifier ?? `guichet-couch-${client.url}`,
    live: opts.live ?? true,
    retryTime: opts.retryMs ?? 5000,
    waitForLeadership: false,
    autoStart: true,
    pull: {
      batchSize: pullSize,
      handler: (checkpoint, batchSize) => guarded(() => pull(checkpoint, batchSize)),
      stream$: stream$.asObservable(),
    },
    push: {
      batchSize: wireSize * PUSH_CHUNKS,
      handler: (rows) => guarded(() => push(rows as PushRow[])),
    },
  });
  // A handler's failure is reported by its guard with the real error (RxDB's copy is a plain
  // object without its class, which read "Failed to fetch" to agents): only the others here.
  replication.error$.subscribe((err) => {
    if (!isReplicationWrapper(err)) status.failed(err);
  });

  // Markers left over are checked against the server, which is the truth: whenever the replication
  // goes idle, and every few seconds while flags remain (the idle signal alone was seen to miss a burst).
  // Never while it works: a push clears its own marks, and a pass reading every marked request back
  // from the server beside it doubled the server's work (bench:sync, 5,000 requests).
  let active = true;
  const activeSub = replication.active$.subscribe((a) => {
    active = a;
  });
  let reconciling = false;
  function reconcile(): void {
    if (reconciling || stopped || active) return;
    reconciling = true;
    void confirmations
      .then(reconcilePending)
      .catch(() => {})
      .finally(() => {
        reconciling = false;
      });
  }
  const periodic = setInterval(() => reconcile(), opts.reconcileMs ?? 5000);
  const idleSub = replication.active$
    .pipe(
      filter((active) => !active),
      debounceTime(300),
    )
    .subscribe(() => reconcile());

  // Live changes: one long-poll per database held (the main one, and each sensitive one).
  const sleeper = wakeableSleep();
  if (opts.live ?? true) {
    for (const source of sources) {
      void longPoll(source, {
        start: async () => {
          if (!pulledToEnd.has(source.key))
            await firstValueFrom(
              merge(pullReachedEnd, stoppedNow).pipe(filter(() => stopped || pulledToEnd.has(source.key))),
            );
          return pulledToEnd.get(source.key);
        },
        stopped: () => stopped,
        signal: abort.signal,
        limit: pullSize,
        longpollMs: opts.longpollMs ?? 25_000,
        sleep: sleeper.sleep,
        reachable: status.reachable,
        failed: status.failed,
        resync: () => stream$.next("RESYNC"),
        changes: (key, documents, lastSeq) => {
          latest = withSeq(latest, key, lastSeq);
          stream$.next({ documents, checkpoint: latest });
        },
      });
    }
  }

  return {
    replication,
    status$: status.status$,
    /** Resolves when everything local is on the server and everything on the server is local. */
    async awaitInSync(): Promise<void> {
      await replication.awaitInSync();
      await confirmations;
    },
    /** The network is back (browser "online" event, a click on "Synchroniser"): retry now. */
    reSync() {
      sleeper.wake();
      replication.reSync();
    },
    async stop(): Promise<void> {
      stopped = true;
      stoppedNow.next();
      idleSub.unsubscribe();
      activeSub.unsubscribe();
      clearInterval(periodic);
      abort.abort();
      sleeper.wake();
      await replication.cancel();
    },
  };
}
export type RequestReplication = ReturnType<typeof startRequestReplication>;
