import { BehaviorSubject, debounceTime, filter, firstValueFrom, merge, Subject } from "rxjs";
import type { GuichetRequest } from "../../domain/request";
import type { GuichetDatabase } from "../db/database";
import { type CouchClient, couchClient } from "./couch-client";
import type { Credentials, FetchLike } from "./http";
import type { Seq } from "./requests/checkpoints";
import { pendingFlags } from "./requests/flags";
import { handOver as handOverDocs } from "./requests/hand-over";
import { longPoll, wakeableSleep } from "./requests/long-poll";
import { purgeHandedOver } from "./requests/purge";
import { reconcileMarks } from "./requests/reconcile";
import { PULL_WRITE, replicator } from "./requests/replicator";
import { replicationSources, requestRouter } from "./requests/routing";
import { syncStatusTracker } from "./requests/status";

export type { SyncStatus } from "./requests/status";

/**
 * Replication of the requests collection with one CouchDB database (and the sensitive ones held),
 * by Guichet's own replicator (./requests/replicator.ts) rather than RxDB's generic replication:
 * - push writes new documents directly, updates with the server revision they were based on; a
 *   conflict is merged here and sent again; a document the server refuses is flagged and kept,
 *   and never blocks the rest of the batch;
 * - pull skips design documents, turns deletion stubs into tombstones, and merges rather than
 *   overwrites a request changed here;
 * - one long-poll connection per database for live changes, with backoff while the line is down.
 */
export type RequestReplicationOptions = {
  db: GuichetDatabase;
  dbUrl: string;
  auth: Credentials;
  fetch?: FetchLike;
  pullBatchSize?: number;
  /** Documents per `_bulk_docs`. */
  pushBatchSize?: number;
  live?: boolean;
  retryMs?: number;
  longpollMs?: number;
  /** Kept for callers of the RxDB era; the replicator keeps its state in the replica itself. */
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
/** Documents read from the replica at a time to find what to send, in `_bulk_docs` worth. */
const PUSH_CHUNKS = 4;

/** Starts the requests' replication: the steps live in ./requests/, this schedules them. */
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
  const retryMs = opts.retryMs ?? 5000;
  const live = opts.live ?? true;
  // Where a pull last reached the end of each database's feed: the live feed starts there.
  const pulledToEnd = new Map<string, Seq>();
  const pullReachedEnd = new Subject<void>();
  const stoppedNow = new Subject<void>();
  let stopped = false;
  const abort = new AbortController();
  const sleeper = wakeableSleep();
  // Clearing marks is off the push's critical path: the next batch goes on the wire meanwhile.
  let confirmations: Promise<void> = Promise.resolve();
  const confirm = (pushed: GuichetRequest[]) => {
    if (pushed.length === 0) return;
    confirmations = confirmations.then(() => flags.sent(pushed.map((d) => d.id))).catch(() => {});
  };
  const handOverAll = async (docs: GuichetRequest[]) => {
    await flags.loaded;
    return handOverDocs(docs, opts.handover, opts.auth, flags, opts.fetch);
  };

  const rep = replicator({
    db,
    sources,
    targetOf,
    handOver: handOverAll,
    flags,
    pullSize,
    wireSize,
    scanSize: wireSize * PUSH_CHUNKS,
    pushed: confirm,
    reachedEnd: (key, seq) => {
      pulledToEnd.set(key, seq);
      pullReachedEnd.next();
    },
  });

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

  // Work to do: a pull (catch-up), a push, or both; one runner does it, again until nothing is left.
  let wantPull = true;
  let wantPush = true;
  let runner: Promise<void> | null = null;
  const busy$ = new BehaviorSubject<boolean>(true);
  let initialDone: () => void = () => {};
  const initial = new Promise<void>((resolve) => {
    initialDone = resolve;
  });

  function kick(what: { pull?: boolean; push?: boolean }): Promise<void> {
    if (what.pull) wantPull = true;
    if (what.push) wantPush = true;
    if (!runner && !stopped) {
      busy$.next(true);
      runner = run().finally(() => {
        runner = null;
        busy$.next(false);
      });
    }
    return runner ?? Promise.resolve();
  }

  async function run(): Promise<void> {
    while (!stopped && (wantPull || wantPush)) {
      try {
        if (wantPull) {
          wantPull = false;
          // The push's first reads go on while the catch-up pull travels.
          if (wantPush) rep.readAheadOfPush();
          await guarded(() => rep.pullAll());
        }
        if (wantPush) {
          wantPush = false;
          // A conflict merged here is sent at the next pass; a few passes settle it. Still moving
          // after five (a cluster copy behind the others answers with an older state): later.
          let settled = false;
          for (let pass = 0; pass < 5 && !stopped && !settled; pass++) {
            settled = !(await guarded(() => rep.pushAll()));
          }
          if (!settled && !stopped) {
            wantPush = true;
            await sleeper.sleep(retryMs);
          }
        }
        if (!wantPull && !wantPush) initialDone();
      } catch {
        if (stopped) break;
        wantPull = true;
        wantPush = true;
        await sleeper.sleep(retryMs);
      }
    }
  }
  void kick({ pull: true, push: true });

  // An agent's write starts a push (the replication's own writes do not).
  const localSub = db.requests.eventBulks$
    .pipe(
      filter((bulk) => bulk.context !== PULL_WRITE),
      debounceTime(20),
    )
    .subscribe(() => {
      if (live) void kick({ push: true });
    });

  async function reconcilePending(): Promise<void> {
    await reconcileMarks(
      db,
      flags,
      targetOf,
      async (docs) => confirm(await handOverAll(docs)),
      () => active() || stopped,
    );
    if (opts.handover) {
      await purgeHandedOver(db, {
        services: handoverServices,
        keepMs: opts.handover.keepMs ?? 15 * 60_000,
        isRejected: flags.isRejected,
      });
    }
  }

  // Markers left over are checked against the server, which is the truth: whenever the replication
  // goes idle, and every few seconds while flags remain. Never while it works: a push clears its
  // own marks, and a pass reading every marked request back beside it doubled the server's work.
  const active = () => busy$.getValue() || rep.active$.getValue();
  let reconciling = false;
  function reconcile(): void {
    if (reconciling || stopped || active()) return;
    reconciling = true;
    void confirmations
      .then(reconcilePending)
      .catch(() => {})
      .finally(() => {
        reconciling = false;
      });
  }
  const periodic = setInterval(() => reconcile(), opts.reconcileMs ?? 5000);
  const idleSub = busy$
    .pipe(
      filter((b) => !b),
      debounceTime(300),
    )
    .subscribe(() => reconcile());

  // Live changes: one long-poll per database held (the main one, and each sensitive one).
  if (live) {
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
        resync: () => void kick({ pull: true, push: true }),
        changes: (key, rows, lastSeq) => {
          void rep
            .step(() => rep.applyPage(key, rows, lastSeq))
            .then(() => status.succeeded())
            .catch((err) => {
              status.failed(err);
              void kick({ pull: true });
            });
        },
      });
    }
  }

  const replication = {
    active$: busy$.asObservable(),
    error$: rep.error$.asObservable(),
    /** The first pull and push are done (retried until they are). */
    awaitInitialReplication: () => initial,
    async awaitInSync(): Promise<void> {
      await initial;
      while (!stopped && (runner || rep.active$.getValue())) {
        await runner;
        await rep.idle();
      }
    },
    reSync(): void {
      sleeper.wake();
      void kick({ pull: true, push: true });
    },
    async cancel(): Promise<void> {
      stopped = true;
      stoppedNow.next();
      abort.abort();
      sleeper.wake();
      await runner;
      await rep.idle();
    },
  };

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
      replication.reSync();
    },
    async stop(): Promise<void> {
      idleSub.unsubscribe();
      localSub.unsubscribe();
      clearInterval(periodic);
      await replication.cancel();
      rep.close();
    },
  };
}
export type RequestReplication = ReturnType<typeof startRequestReplication>;
