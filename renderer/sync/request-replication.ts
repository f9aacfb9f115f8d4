import type { WithDeleted } from "rxdb";
import { replicateRxCollection } from "rxdb/plugins/replication";
import {
  BehaviorSubject,
  combineLatest,
  debounceTime,
  filter,
  firstValueFrom,
  map,
  merge,
  type Observable,
  Subject,
} from "rxjs";
import { migrateRequest } from "../../domain/migrations";
import { type GuichetRequest, NO_DUE_DATE, SCHEMA_VERSION } from "../../domain/request";
import { anonymise } from "../../domain/retention";
import { type GuichetDatabase, requestConflictHandler, withoutRxFields } from "../db/database";
import { type CouchClient, CouchHttpError, couchClient, syncErrorMessage } from "./couch-client";
import { HANDOVER_BATCH, postHandovers } from "./handover-client";
import { type Credentials, type FetchLike, NetworkError } from "./http";

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
export type SyncStatus = {
  online: boolean;
  /** Requests changed on this workstation that the server does not hold yet (rejected ones included). */
  pending: number;
  rejected: number;
  lastSyncAt: string | null;
  lastError: string | null;
};

export type RequestReplicationOptions = {
  db: GuichetDatabase;
  dbUrl: string;
  auth: Credentials;
  fetch?: FetchLike;
  pullBatchSize?: number;
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

/** `seq`: the main database; `sensitive`: each sensitive database held, by service. */
type Checkpoint = { seq: string | number; sensitive?: Record<string, string | number> };
type Seq = string | number;
type Doc = WithDeleted<GuichetRequest>;
type CouchDoc = Record<string, unknown> & { _id: string; _rev?: string; _deleted?: boolean };

export const DEFAULT_BATCH = { pull: 500, push: 250 };

export function fromCouch(doc: CouchDoc): Doc {
  const { _id, _rev, _revisions, _conflicts, ...rest } = doc;
  if (doc._deleted && !("events" in rest)) {
    // A deletion stub carries no body: keep a tombstone that satisfies the indexes.
    return {
      id: _id,
      _deleted: true,
      open: false,
      service: "",
      dueOn: NO_DUE_DATE,
      channel: "autre",
      status: "cancelled",
      receivedAt: "",
      updatedAt: "",
      nameKey: "",
    } as unknown as Doc;
  }
  const body: Record<string, unknown> = { ...rest, id: _id };
  // A document written by an older version of the app is brought to today's shape as it arrives.
  const current =
    body.schemaVersion === SCHEMA_VERSION ? (body as unknown as GuichetRequest) : migrateRequest(body);
  return { ...current, _deleted: !!doc._deleted };
}

export function toCouch(doc: GuichetRequest & { _deleted?: boolean }, rev?: string): CouchDoc {
  const out: CouchDoc = { ...withoutRxFields(doc), _id: doc.id };
  if (rev) out._rev = rev;
  if (doc._deleted) out._deleted = true;
  return out;
}

export function startRequestReplication(opts: RequestReplicationOptions) {
  const { db } = opts;
  const client: CouchClient = couchClient(opts.dbUrl, opts.auth, opts.fetch);
  // Where documents come from and go to: the main database ("" key), then each sensitive one held.
  type Source = { key: string; client: CouchClient };
  const sources: Source[] = [
    { key: "", client },
    ...Object.entries(opts.sensitiveDbUrls ?? {})
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, url]) => ({ key, client: couchClient(url, opts.auth, opts.fetch) })),
  ];
  const sourceOf = new Map(sources.slice(1).map((s) => [s.key, s]));
  const handoverServices = new Set(opts.handover?.services ?? []);
  /** Where a document lives on the server, or "handover" when this workstation may not hold it. */
  const targetOf = (doc: GuichetRequest): Source | "handover" => {
    if (!doc.sensitive) return sources[0]!;
    return sourceOf.get(doc.service) ?? (handoverServices.has(doc.service) ? "handover" : sources[0]!);
  };
  const seqOf = (cp: Checkpoint | undefined, key: string): Seq =>
    (key === "" ? cp?.seq : cp?.sensitive?.[key]) ?? 0;
  const withSeq = (cp: Checkpoint | undefined, key: string, seq: Seq): Checkpoint =>
    key === "" ? { ...cp, seq } : { seq: cp?.seq ?? 0, sensitive: { ...cp?.sensitive, [key]: seq } };
  // The newest position known per database, so a live change from one does not rewind the others.
  let latest: Checkpoint | undefined;
  // Where a pull last reached the end of each database's feed: the live feed starts there.
  const pulledToEnd = new Map<string, Seq>();
  const pullReachedEnd = new Subject<void>();
  const stoppedNow = new Subject<void>();
  const online$ = new BehaviorSubject<boolean>(false);
  const lastSyncAt$ = new BehaviorSubject<string | null>(null);
  const lastError$ = new BehaviorSubject<string | null>(null);
  const stream$ = new Subject<{ documents: Doc[]; checkpoint: Checkpoint } | "RESYNC">();
  const pullBatch = opts.pullBatchSize ?? DEFAULT_BATCH.pull;
  let stopped = false;
  const abort = new AbortController();

  const succeeded = () => {
    online$.next(true);
    lastError$.next(null);
    lastSyncAt$.next(new Date().toISOString());
  };
  const failed = (err: unknown) => {
    if (err instanceof NetworkError) online$.next(false);
    else online$.next(true);
    lastError$.next(syncErrorMessage(err));
  };

  async function guarded<T>(fn: () => Promise<T>): Promise<T> {
    try {
      const out = await fn();
      succeeded();
      return out;
    } catch (err) {
      failed(err);
      throw err;
    }
  }

  /**
   * RxDB stops pulling when a batch holds fewer documents than asked for, so a batch thinned
   * out by skipped design documents must be topped up, or the rest of the feed would wait
   * for the next live change.
   */
  async function pullOnce(checkpoint: Checkpoint | undefined, batchSize: number) {
    let cp: Checkpoint = checkpoint ?? { seq: 0 };
    const documents: Doc[] = [];
    for (const source of sources) {
      let since = seqOf(cp, source.key);
      for (;;) {
        const limit = batchSize - documents.length;
        const res = await source.client.changes({ since, limit });
        for (const r of res.results)
          if (r.doc && !r.id.startsWith("_design/")) documents.push(fromCouch(r.doc as CouchDoc));
        since = res.last_seq as Seq;
        cp = withSeq(cp, source.key, since);
        if (documents.length >= batchSize) return done(cp);
        if (res.results.length < limit) {
          pulledToEnd.set(source.key, since);
          pullReachedEnd.next();
          break;
        }
      }
    }
    return done(cp);

    function done(c: Checkpoint) {
      latest = c;
      return { documents, checkpoint: c };
    }
  }

  /** Clears the pending marker of each pushed document whose local state is still the one pushed. */
  async function confirmPushed(pushed: GuichetRequest[]): Promise<void> {
    if (pushed.length === 0) return;
    const ids = pushed.map((d) => d.id);
    const local = await db.requests.findByIds(ids).exec();
    const done = pushed
      .filter((d) => {
        const cur = local.get(d.id);
        return cur && requestConflictHandler.isEqual(cur.toJSON() as GuichetRequest, d);
      })
      .map((d) => d.id);
    if (done.length > 0) {
      await db.pending.bulkRemove(done);
      // Rejections are rare: only touch that collection when one of these documents is in it.
      const flagged = done.filter((id) => rejectedIds.has(id));
      if (flagged.length > 0) {
        await db.rejections.bulkRemove(flagged);
        for (const id of flagged) rejectedIds.delete(id);
      }
    }
  }

  let confirmations: Promise<void> = Promise.resolve();

  /**
   * A pending marker or a rejection flag means "the server does not hold this local state". Either
   * can outlive its truth: a marker written just after its push (write and marker are two steps),
   * one left by a crash, a flag on a document whose events reached the server merged into another
   * workstation's push. When the replication is idle, check what is left against the server.
   */
  async function reconcilePending(): Promise<void> {
    const markers = new Set((await db.pending.find().exec()).map((m) => m.id));
    const ids = [...new Set([...markers, ...rejectedIds])];
    for (let i = 0; i < ids.length; i += 200) {
      const local = await db.requests.findByIds(ids.slice(i, i + 200)).exec();
      const bySource = new Map<Source, string[]>();
      const toHandOver: GuichetRequest[] = [];
      for (const [id, doc] of local) {
        const target = targetOf(doc.toJSON() as GuichetRequest);
        // Nothing to read back there: sending again is harmless (merged) and its answer is the truth.
        if (target === "handover") {
          if (markers.has(id)) toHandOver.push(doc.toJSON() as GuichetRequest);
        } else bySource.set(target, [...(bySource.get(target) ?? []), id]);
      }
      for (const [source, chunk] of bySource) {
        const server = await source.client.allDocs(chunk);
        const done = server.rows
          .filter((r) => {
            const mine = local.get(r.key);
            return (
              r.doc &&
              mine &&
              requestConflictHandler.isEqual(fromCouch(r.doc as CouchDoc), mine.toJSON() as GuichetRequest)
            );
          })
          .map((r) => r.key);
        if (done.length > 0) {
          await db.pending.bulkRemove(done);
          const flagged = done.filter((id) => rejectedIds.has(id));
          if (flagged.length > 0) await db.rejections.bulkRemove(flagged);
          for (const id of flagged) rejectedIds.delete(id);
        }
      }
      if (toHandOver.length > 0) await handOver(toHandOver);
    }
    await purgeHandedOver();
  }

  /**
   * Removes from this workstation the sensitive requests it handed over, once `keepMs` has passed
   * since their last change: first their personal data (RxDB keeps a deleted document's last
   * state), then the document itself.
   */
  async function purgeHandedOver(): Promise<void> {
    if (!opts.handover) return;
    const before = new Date(Date.now() - (opts.handover.keepMs ?? 15 * 60_000)).toISOString();
    for (const service of handoverServices) {
      for (const open of [true, false]) {
        const docs = await db.requests.find({ selector: { open, service } }).exec();
        for (const doc of docs) {
          const r = doc.toJSON() as GuichetRequest;
          if (!r.sensitive || r.updatedAt > before || rejectedIds.has(r.id)) continue;
          if (await db.pending.findOne(r.id).exec()) continue;
          const at = new Date().toISOString();
          const wiped = await doc.incrementalModify((d) => anonymise(d, at, r.createdBy, r.workstation));
          await wiped.remove();
        }
      }
    }
  }

  const rejectedIds = new Set<string>();
  const rejectionsLoaded = db.rejections
    .find()
    .exec()
    .then((docs) => {
      for (const d of docs) rejectedIds.add(d.id);
    });

  async function reject(doc: GuichetRequest, reason: string): Promise<void> {
    rejectedIds.add(doc.id);
    await db.rejections.upsert({ id: doc.id, reason, at: new Date().toISOString() });
  }

  type PushRow = { newDocumentState: GuichetRequest; assumedMasterState?: GuichetRequest };

  async function push(rows: PushRow[]): Promise<Doc[]> {
    await rejectionsLoaded;
    const groups = new Map<Source | "handover", PushRow[]>();
    for (const row of rows) {
      const target = targetOf(row.newDocumentState);
      groups.set(target, [...(groups.get(target) ?? []), row]);
    }
    const conflicts: Doc[] = [];
    for (const [target, group] of groups) {
      if (target === "handover") await handOver(group.map((r) => r.newDocumentState));
      else conflicts.push(...(await pushTo(target.client, group)));
    }
    return conflicts;
  }

  /**
   * Sensitive requests this workstation may not hold go to the server's hand-over; the server
   * never sends them back, so there is no conflict to report. The local purge (anonymised, then
   * deleted) is this workstation's own business and is not sent.
   */
  async function handOver(docs: GuichetRequest[]): Promise<void> {
    const live = docs.filter((d) => !(d as Doc)._deleted && !d.anonymised);
    if (live.length === 0) return;
    if (!opts.handover) throw new Error("Demande sensible sans adresse de remise au serveur.");
    const pushed: GuichetRequest[] = [];
    for (let i = 0; i < live.length; i += HANDOVER_BATCH) {
      const batch = live.slice(i, i + HANDOVER_BATCH).map((d) => withoutRxFields(d));
      const results = await postHandovers(opts.handover.url, opts.auth, batch, opts.fetch);
      const byId = new Map(results.map((r) => [r.id, r]));
      for (const doc of batch) {
        const r = byId.get(doc.id);
        if (r?.ok) pushed.push(doc);
        else await reject(doc, r && !r.ok ? r.reason : "remise refusée sans motif");
      }
    }
    confirmations = confirmations.then(() => confirmPushed(pushed)).catch(() => {});
  }

  async function pushTo(client: CouchClient, rows: PushRow[]): Promise<Doc[]> {
    const conflicts: Doc[] = [];
    const revs = new Map<string, string>();
    const toWrite: PushRow[] = [];
    const updates = rows.filter((r) => r.assumedMasterState);
    if (updates.length > 0) {
      // Only documents the server already has need their revision and a conflict check.
      const current = await client.allDocs(updates.map((r) => r.newDocumentState.id));
      const byId = new Map(current.rows.map((r) => [r.key, r]));
      for (const row of updates) {
        const server = byId.get(row.newDocumentState.id);
        if (!server?.doc || server.value?.deleted) {
          toWrite.push(row); // refused earlier, or never arrived: write it as new
        } else if (
          requestConflictHandler.isEqual(fromCouch(server.doc as CouchDoc), row.assumedMasterState!)
        ) {
          revs.set(row.newDocumentState.id, String(server.doc._rev));
          toWrite.push(row);
        } else {
          conflicts.push(fromCouch(server.doc as CouchDoc));
        }
      }
    }
    toWrite.push(...rows.filter((r) => !r.assumedMasterState));
    if (toWrite.length === 0) return conflicts;

    const results = await client.bulkDocs(
      toWrite.map((r) => toCouch(r.newDocumentState, revs.get(r.newDocumentState.id))),
    );
    // Rows are matched by id: PouchDB Server does not keep the request's order.
    const resultById = new Map(results.map((r) => [r.id, r]));
    const pushed: GuichetRequest[] = [];
    const again: PushRow[] = [];
    const refused = new Map<string, string>();
    for (const row of toWrite) {
      const r = resultById.get(row.newDocumentState.id);
      if (r?.ok) pushed.push(row.newDocumentState);
      else {
        again.push(row);
        if (r?.error !== "conflict")
          refused.set(row.newDocumentState.id, r?.reason ?? r?.error ?? "refus sans motif");
      }
    }
    if (again.length > 0) {
      const current = await client.allDocs(again.map((r) => r.newDocumentState.id));
      const byId = new Map(current.rows.map((r) => [r.key, r]));
      for (const row of again) {
        const id = row.newDocumentState.id;
        const server = byId.get(id)?.doc as CouchDoc | null | undefined;
        const reason = refused.get(id);
        // PouchDB Server validates a stale revision against the current document and answers
        // "forbidden" where CouchDB answers "conflict": a refusal only counts if our revision was current.
        if (reason !== undefined && (!server || server._rev === revs.get(id))) {
          await reject(row.newDocumentState, reason);
          continue;
        }
        if (!server) continue; // deleted meanwhile: RxDB retries the row
        const master = fromCouch(server);
        // Same state already there: an earlier push whose answer was lost. Not a conflict.
        if (requestConflictHandler.isEqual(master, row.newDocumentState)) pushed.push(row.newDocumentState);
        else conflicts.push(master);
      }
    }
    // Off the push's critical path: the next batch goes on the wire while IndexedDB clears these.
    confirmations = confirmations.then(() => confirmPushed(pushed)).catch(() => {});
    return conflicts;
  }

  const replication = replicateRxCollection<GuichetRequest, Checkpoint>({
    collection: db.requests,
    replicationIdentifier: opts.identifier ?? `guichet-couch-${client.url}`,
    live: opts.live ?? true,
    retryTime: opts.retryMs ?? 5000,
    waitForLeadership: false,
    autoStart: true,
    pull: {
      batchSize: pullBatch,
      handler: (checkpoint, batchSize) => guarded(() => pullOnce(checkpoint, batchSize)),
      stream$: stream$.asObservable(),
    },
    push: {
      batchSize: opts.pushBatchSize ?? DEFAULT_BATCH.push,
      handler: (rows) => guarded(() => push(rows as PushRow[])),
    },
  });
  // A marker written just after its document was pushed (the write and the marker are two steps)
  // would stay forever, as would one left by a crash: whenever the replication goes idle, the
  // markers left are checked against the server, which is the truth.
  let reconciling = false;
  const idle = replication.active$.pipe(
    filter((active) => !active),
    debounceTime(300),
  );
  // And every few seconds while flags remain: the idle signal alone was seen to miss a burst.
  const periodic = setInterval(() => reconcile(), opts.reconcileMs ?? 5000);
  const idleSub = idle.subscribe(() => reconcile());
  function reconcile(): void {
    if (reconciling || stopped) return;
    reconciling = true;
    void confirmations
      .then(reconcilePending)
      .catch(() => {})
      .finally(() => {
        reconciling = false;
      });
  }
  replication.error$.subscribe((err) =>
    failed((err as { parameters?: { errors?: unknown[] } }).parameters?.errors?.[0] ?? err),
  );

  // Live changes: one long-poll at a time; after an outage, a RESYNC makes RxDB catch up from its checkpoint.
  const sleepers = new Set<() => void>();
  const wake = () => {
    for (const w of [...sleepers]) w();
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        sleepers.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      sleepers.add(done);
    });
  // One long-poll per database held (the main one, and each sensitive one).
  if (opts.live ?? true) for (const source of sources) void longPoll(source);
  async function longPoll({ key, client }: Source): Promise<void> {
    {
      // Never "now": a change written after the catch-up pull's last answer and before a "now"
      // long-poll reached the server would be in neither, and this feed's checkpoints would pass
      // it for good. The feed starts where a pull of this session reached the end.
      if (!pulledToEnd.has(key))
        await firstValueFrom(
          merge(pullReachedEnd, stoppedNow).pipe(filter(() => stopped || pulledToEnd.has(key))),
        );
      let since: unknown = pulledToEnd.get(key);
      let backoff = 500;
      let wasDown = false;
      while (!stopped) {
        try {
          if (wasDown) {
            // A short call first: a long-poll would only tell us the line is back after its timeout.
            await client.info();
            wasDown = false;
            backoff = 500;
            online$.next(true);
            stream$.next("RESYNC");
          }
          const res = await client.changes({
            since,
            limit: pullBatch,
            longpollMs: opts.longpollMs ?? 25_000,
            signal: abort.signal,
          });
          since = res.last_seq;
          online$.next(true);
          const documents = res.results
            .filter((r) => r.doc && !r.id.startsWith("_design/"))
            .map((r) => fromCouch(r.doc as CouchDoc));
          if (documents.length > 0) {
            latest = withSeq(latest, key, res.last_seq as Seq);
            stream$.next({ documents, checkpoint: latest });
          }
        } catch (err) {
          if (stopped) break;
          failed(err);
          wasDown = true;
          await sleep(backoff);
          // A refused password will not fix itself: retry slowly; a cut line: retry sooner.
          backoff =
            err instanceof CouchHttpError && err.status === 401 ? 30_000 : Math.min(backoff * 2, 10_000);
        }
      }
    }
  }

  const status$: Observable<SyncStatus> = combineLatest([
    online$,
    // find() rather than count(): count queries missed some bulk removals here (stale "2 en attente").
    db.pending.find().$.pipe(map((d) => d.length)),
    db.rejections.find().$.pipe(map((d) => d.length)),
    lastSyncAt$,
    lastError$,
  ]).pipe(
    map(([online, pending, rejected, lastSyncAt, lastError]) => ({
      online,
      pending,
      rejected,
      lastSyncAt,
      lastError,
    })),
  );

  return {
    replication,
    status$,
    /** Resolves when everything local is on the server and everything on the server is local. */
    async awaitInSync(): Promise<void> {
      await replication.awaitInSync();
      await confirmations;
    },
    /** The network is back (browser "online" event, a click on "Synchroniser"): retry now. */
    reSync() {
      wake();
      replication.reSync();
    },
    async stop(): Promise<void> {
      stopped = true;
      stoppedNow.next();
      idleSub.unsubscribe();
      clearInterval(periodic);
      abort.abort();
      wake();
      await replication.cancel();
    },
  };
}
export type RequestReplication = ReturnType<typeof startRequestReplication>;
