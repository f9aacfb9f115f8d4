import {
  type BulkWriteRow,
  getHeightOfRevision,
  getWrittenDocumentsFromBulkWriteResponse,
  type RxDocumentData,
} from "rxdb";
import { BehaviorSubject, Subject } from "rxjs";
import type { GuichetRequest } from "../../../domain/request";
import { type GuichetDatabase, requestConflictHandler } from "../../db/database";
import { changedSince } from "../../db/index-page-storage";
import { type SyncState, syncLedger } from "../../db/sync-ledger";
import { type BulkBody, type ChangeRow, CouchHttpError } from "../couch-client";
import { type Checkpoint, type Seq, seqOf, withSeq } from "./checkpoints";
import { type CouchDoc, type Doc, fromCouch, toCouch } from "./couch-docs";
import type { PendingFlags } from "./flags";
import type { Source } from "./routing";

type Local = RxDocumentData<GuichetRequest>;
type StateRows = Map<string, SyncState>;
type UpCheckpoint = { id: string; lwt: number };
/** A server document as the feed or `_all_docs` gave it: the request, and its revision. */
export type ServerDoc = { doc: Doc; rev: string };

/** The replication's own writes to the replica, told apart from the agents' in change events. */
export const PULL_WRITE = "guichet-sync-pull";
const UP = "#up";
const DOWN = "#down";
/**
 * `_bulk_docs` errors of one document that say nothing of the document: the server failed (CouchDB
 * answers "os_process_error" when its validation process timed out, under load). Such a document
 * is sent again, never flagged as refused (a flag stays until an agent edits the request).
 */
const SERVER_FAILURES = new Set(["os_process_error", "timeout", "unknown_error", "internal_server_error"]);
const height = (doc: Local): number => getHeightOfRevision(doc._rev);

/** The server documents of one page of `_changes` (design documents skipped), with their revisions. */
export function serverDocsIn(rows: readonly ChangeRow[]): ServerDoc[] {
  return rows
    .filter((r) => r.doc && !r.id.startsWith("_design/"))
    .map((r) => ({ doc: fromCouch(r.doc as CouchDoc), rev: String((r.doc as CouchDoc)._rev) }));
}

export type ReplicatorOptions = {
  db: GuichetDatabase;
  sources: readonly Source[];
  targetOf(doc: GuichetRequest): Source | "handover";
  handOver(docs: GuichetRequest[]): Promise<GuichetRequest[]>;
  flags: PendingFlags;
  pullSize: number;
  /** Documents per `_bulk_docs`. */
  wireSize: number;
  /** Documents read from the replica at a time to find what to send. */
  scanSize: number;
  /** Called with what the server now holds and was not changed here since (pending marks to clear). */
  pushed(docs: GuichetRequest[]): void;
  /** Called when a pull reached the end of a database's feed. */
  reachedEnd(key: string, seq: Seq): void;
};

/**
 * The requests' replication, written for Guichet rather than RxDB's generic one: what it keeps per
 * request is a revision and a number, in a plain IndexedDB table (../../db/sync-ledger.ts), where
 * RxDB kept a whole copy of each document in its own storage and wrote it again for every document
 * sent or received (bench:sync, "réplication nue").
 *
 * - What to send: the replica's changes since the last checkpoint, in write order (RxDB's
 *   "changed since", read straight from its index), which survives a crash: nothing is lost
 *   between a write and its marker. Less those whose local revision is the one known to equal the
 *   server's (`h`): the pull's own writes, and what was sent.
 * - An update carries the server revision it was based on; a `conflict` means the server moved
 *   on: its copy is merged with ours (requestConflictHandler, the same merge as before), written
 *   here, and sent at the next round with the server's revision.
 * - A refusal is flagged and not sent again until the request changes here.
 * - The pull writes the server's state unless the request has changes here: then it writes the
 *   merge, and the changes are still to send. Every write checks the revision it read
 *   (compare-and-swap): an agent's write in between is never overwritten.
 * - Steps run one at a time (one queue), so the pull and the push never write the same row at once.
 */
export function replicator(opts: ReplicatorOptions) {
  const { db } = opts;
  const requests = db.requests.storageInstance;
  const ledger = syncLedger(db);
  const active$ = new BehaviorSubject<boolean>(false);
  const error$ = new Subject<unknown>();
  let queue: Promise<unknown> = Promise.resolve();
  let running = 0;
  // Each write to a request here that is not the replication's own, numbered: a request sent is
  // known to be the replica's state still if no such write came after it was read.
  let writeNo = 0;
  const lastWrite = new Map<string, number>();
  const writesSub = db.requests.eventBulks$.subscribe((bulk) => {
    if (bulk.context === PULL_WRITE) return;
    writeNo++;
    for (const e of bulk.events) lastWrite.set(e.documentId, writeNo);
  });
  // The replication's own writes to the replica and to the states (the pull's position aside): a
  // push's first reads, made beside a pull, hold only if none came in between.
  let ownWrites = 0;
  const unchangedSince = (readAt: number) => (d: GuichetRequest) => (lastWrite.get(d.id) ?? 0) <= readAt;

  /** Runs one step after the others; the queue goes on after a failure. */
  function step<T>(fn: () => Promise<T>): Promise<T> {
    running++;
    active$.next(true);
    const out = queue.then(fn);
    queue = out
      .catch(() => undefined)
      .finally(() => {
        if (--running === 0) active$.next(false);
      });
    return out;
  }

  async function readStates(ids: readonly string[]): Promise<StateRows> {
    return (await ledger).readState(ids);
  }

  // The checkpoints' rows, read once, then kept as written.
  const checkpointRows: StateRows = new Map();

  /** Records state rows; `known` (the step's view of them) follows. */
  async function writeStates(rows: readonly SyncState[], known: StateRows): Promise<void> {
    if (rows.length === 0) return;
    if (rows.some((r) => r.id !== DOWN)) ownWrites++;
    await (await ledger).writeState(rows);
    for (const r of rows) (r.id.startsWith("#") ? checkpointRows : known).set(r.id, r);
  }

  async function checkpointOf<T>(id: string): Promise<T | undefined> {
    if (!checkpointRows.has(id)) {
      const row = (await readStates([id])).get(id);
      if (row) checkpointRows.set(id, row);
    }
    const row = checkpointRows.get(id);
    return row ? (JSON.parse(row.rev) as T) : undefined;
  }
  const saveCheckpoint = (id: string, value: unknown) =>
    writeStates([{ id, rev: JSON.stringify(value), h: 0 }], checkpointRows);

  /**
   * Writes server states, or merges, over the local documents read (compare-and-swap). Returns
   * what was written, by id; a request written here meanwhile is left for the next pass.
   */
  async function writeLocal(
    rows: { previous?: Local; document: GuichetRequest }[],
  ): Promise<Map<string, Local>> {
    if (rows.length === 0) return new Map();
    ownWrites++;
    const writes = rows.map(({ previous, document }) => {
      const doc = {
        ...document,
        _deleted: !!(document as Doc)._deleted,
        _attachments: {},
        _meta: { lwt: 0 },
        _rev: "",
      } as unknown as Local;
      return previous ? { previous, document: doc } : { document: doc };
    });
    const res = await requests.bulkWrite(writes as BulkWriteRow<GuichetRequest>[], PULL_WRITE);
    const failed = res.error.filter((e) => e.status !== 409);
    if (failed.length > 0) throw new Error(`Demandes reçues non enregistrées (${failed.length})`);
    const written = getWrittenDocumentsFromBulkWriteResponse(
      "id",
      writes as BulkWriteRow<GuichetRequest>[],
      res,
    );
    return new Map(written.map((d) => [d.id, d]));
  }

  /**
   * Brings server documents into the replica: the server's state where nothing changed here, the
   * merge where something did (still to send). Records what the replica now knows.
   */
  async function applyServerDocs(
    incoming: readonly ServerDoc[],
    /** More rows for the same write (checkpoints), given what was written, all equal to the server or null. */
    extra?: (inSync: Local[] | null) => Promise<SyncState[]>,
    /**
     * The server's copies of a push's conflicts: a change here that the copy lacks is written
     * again even when the merge adds nothing, so that the next pass, which reads past the
     * checkpoint, finds it and sends it on the copy's revision.
     */
    resend = false,
  ): Promise<void> {
    let allInSync: Local[] | null = [];
    const known: StateRows = new Map();
    const stateRows = new Map<string, SyncState>();
    let todo = [...new Map(incoming.map((s) => [s.doc.id, s])).values()];
    for (let attempt = 0; todo.length > 0 && attempt < 5; attempt++) {
      const ids = todo.map((s) => s.doc.id);
      const [locals, states] = await Promise.all([
        requests.findDocumentsById(ids, true).then((ls) => new Map(ls.map((l) => [l.id, l]))),
        readStates(ids),
      ]);
      for (const [id, row] of states) known.set(id, row);
      const writes: { previous?: Local; document: GuichetRequest; inSync: boolean; rev: string }[] = [];
      for (const s of todo) {
        const local = locals.get(s.doc.id);
        const state = known.get(s.doc.id);
        // Older than a revision the server is known to hold (a live page read before our own push
        // of the same request was recorded): nothing to learn from it, and it must not go back.
        if (state?.rev && generation(s.rev) < generation(state.rev)) continue;
        if (local && sameRequest(local, s.doc)) {
          // Our own write coming back, or a state already here: recorded, unless it already is.
          if (!(state && state.rev === s.rev && state.h === height(local)))
            stateRows.set(s.doc.id, { id: s.doc.id, rev: s.rev, h: height(local) });
          continue;
        }
        const changedHere = local && !local._deleted && !(state && state.h === height(local));
        if (!local || !changedHere || s.doc._deleted) {
          // Nothing changed here (or deleted on the server, a purge: local changes have nowhere to go).
          writes.push({ ...(local ? { previous: local } : {}), document: s.doc, inSync: true, rev: s.rev });
          continue;
        }
        const merged = requestConflictHandler.resolve({ newDocumentState: local, realMasterState: s.doc });
        if (!resend && requestConflictHandler.isEqual(merged, local)) {
          stateRows.set(s.doc.id, { id: s.doc.id, rev: s.rev, h: state?.h ?? 0 });
        } else writes.push({ previous: local, document: merged, inSync: false, rev: s.rev });
      }
      const written = await writeLocal(writes);
      for (const w of writes) {
        const doc = written.get(w.document.id);
        if (!doc) continue;
        stateRows.set(doc.id, {
          id: doc.id,
          rev: w.rev,
          h: w.inSync ? height(doc) : (known.get(doc.id)?.h ?? 0),
        });
        if (!w.inSync) allInSync = null;
        allInSync?.push(doc);
      }
      // Written here meanwhile (compare-and-swap refused): read again and decide again.
      todo = todo.filter((s) => writes.some((w) => w.document.id === s.doc.id) && !written.has(s.doc.id));
      if (todo.length > 0) allInSync = null;
    }
    await writeStates([...stateRows.values(), ...(extra ? await extra(allInSync) : [])], known);
  }

  /**
   * The pull's own writes need not be read again by the next push: when nothing changed here
   * before them (the first document after the push's checkpoint is one of them: one write shares
   * one time, and RxDB's times never repeat), the push's checkpoint moves past them. A local write
   * made after them comes after them in that order, and is still found.
   */
  async function skipOnPush(written: Local[] | null): Promise<SyncState[]> {
    if (!written || written.length === 0) return [];
    const lwt = written[0]!._meta.lwt;
    if (written.some((d) => d._meta.lwt !== lwt)) return [];
    const first = await changedSince(requests, 1, await checkpointOf<UpCheckpoint>(UP));
    if (first.documents[0]?._meta.lwt !== lwt) return [];
    const last = written.reduce((a, b) => (a.id > b.id ? a : b));
    return [{ id: UP, rev: JSON.stringify({ id: last.id, lwt }), h: 0 }];
  }

  /** One page of a database's feed applied, and its position recorded in the same write. */
  async function applyPage(key: string, rows: readonly ChangeRow[], lastSeq: Seq): Promise<void> {
    const cp = (await checkpointOf<Checkpoint>(DOWN)) ?? { seq: 0 };
    await applyServerDocs(serverDocsIn(rows), async (written) => [
      { id: DOWN, rev: JSON.stringify(withSeq(cp, key, lastSeq)), h: 0 },
      ...(await skipOnPush(written)),
    ]);
  }

  /** Reads every database's feed from its checkpoint to its end, one page ahead. */
  async function pullAll(): Promise<void> {
    for (const source of opts.sources) {
      let since = seqOf(await step(() => checkpointOf<Checkpoint>(DOWN)), source.key);
      let page = source.client.changes({ since, limit: opts.pullSize });
      for (;;) {
        const res = await page;
        since = res.last_seq as Seq;
        const end = res.results.length < opts.pullSize;
        if (!end) page = source.client.changes({ since, limit: opts.pullSize });
        const seq = since;
        await step(() => applyPage(source.key, res.results, seq));
        if (end) {
          opts.reachedEnd(source.key, seq);
          break;
        }
      }
    }
  }

  type Scan = { page: { documents: Local[]; checkpoint: UpCheckpoint }; readAt: number; known: StateRows };
  /** One page of what changed here since `since`, and what is known of it (`noStates`: nothing to read). */
  async function scan(since: UpCheckpoint | undefined, noStates?: StateRows): Promise<Scan> {
    const readAt = writeNo;
    const page = await changedSince(requests, opts.scanSize, since);
    return { page, readAt, known: noStates ?? (await readStates(page.documents.map((d) => d.id))) };
  }

  /** What a push starts from: its checkpoint, the markers (first push), and its first page. */
  async function opening() {
    const l = await ledger;
    const from = await checkpointOf<UpCheckpoint>(UP);
    // No checkpoint: the replica's first push, or a replica that RxDB's replication kept until
    // now, whose markers stayed in its own collection. What is found to send is marked here,
    // unless marked already (read once: one IndexedDB request, not one per request).
    const firstPush = from === undefined;
    const [marked, holdsStates] = firstPush
      ? await Promise.all([l.pendingIds().then((ids) => new Set(ids)), l.holdsStates()])
      : [undefined, true];
    // A replica never synced (requests entered before its first connection) has no state to
    // read: what this push records is all there is to know, and the reads are skipped.
    const recordedHere: StateRows | undefined = holdsStates ? undefined : new Map();
    return { marked, recordedHere, first: await scan(from, recordedHere) };
  }

  // A push's opening read while the catch-up pull before it travels (reads only, outside the queue).
  let ahead: { at: number; opening: Promise<Awaited<ReturnType<typeof opening>> | undefined> } | undefined;
  /** Reads what the next push starts from now, beside the pull that comes first. */
  function readAheadOfPush(): void {
    ahead = { at: ownWrites, opening: opening().catch(() => undefined) };
  }

  /**
   * Sends what changed here since the last checkpoint, in one step; true when something was sent.
   * The next page is read from the replica while the current one travels, and what the server
   * now holds is recorded while the next `_bulk_docs` is on the wire.
   */
  function pushAll(): Promise<boolean> {
    return step(async () => {
      let didWork = false;
      const l = await ledger;
      const read = ahead;
      ahead = undefined;
      const early = read && (await read.opening);
      // Read beside the pull: good if the pull wrote nothing meanwhile (what agents wrote comes later
      // in the replica's order, found by the next pages as always).
      const { marked, first, ...opened } = early && read.at === ownWrites ? early : await opening();
      // A merge records states apart (applyServerDocs): the reads come back from then on.
      let recordedHere = opened.recordedHere;
      // What the server took is recorded, then the checkpoint moves, in this order, while the next
      // documents travel; all of it is written before the step ends, the line dropped or not.
      let recorded: Promise<unknown> = Promise.resolve();
      const later = (fn: () => unknown) => {
        recorded = recorded.then(fn);
      };
      let next = Promise.resolve(first);
      try {
        for (;;) {
          const { page, readAt, known } = await next;
          if (page.documents.length === 0) break;
          const full = page.documents.length === opts.scanSize;
          if (full) next = scan(page.checkpoint, recordedHere);
          const changed = page.documents.filter((d) => {
            const s = known.get(d.id);
            return !(s && (s.h === height(d) || s.rejectedH === height(d)));
          });
          if (changed.length > 0) {
            didWork = true;
            if (marked) {
              const unmarked = changed.filter((d) => !marked.has(d.id));
              for (const d of unmarked) marked.add(d.id);
              // Before the records of this page in the same queue: a mark never comes after its clearing.
              if (unmarked.length > 0) later(() => l.markPendingAt(unmarked.map((d) => [d.id, d._meta.lwt])));
            }
            if (await send(changed, known, unchangedSince(readAt), later, () => recorded))
              recordedHere = undefined;
          }
          const checkpoint = page.checkpoint;
          later(() => saveCheckpoint(UP, checkpoint));
          if (!full) break;
        }
      } finally {
        await recorded;
      }
      return didWork;
    });
  }

  /** Sends a page's changes; true when conflicts were merged here (their states recorded apart from `known`). */
  async function send(
    docs: readonly Local[],
    known: StateRows,
    unchanged: (d: GuichetRequest) => boolean,
    later: (fn: () => unknown) => void,
    recorded: () => Promise<unknown>,
  ): Promise<boolean> {
    const bySource = new Map<Source, Local[]>();
    const toHandOver: Local[] = [];
    for (const d of docs) {
      const target = opts.targetOf(d);
      if (target === "handover") toHandOver.push(d);
      else bySource.set(target, [...(bySource.get(target) ?? []), d]);
    }
    const pushed: GuichetRequest[] = [];
    const merges: ServerDoc[] = [];
    let failure: CouchHttpError | undefined;
    const record = (rows: SyncState[]) => later(() => writeStates(rows, known));
    try {
      for (const [source, list] of bySource) {
        const chunks: Local[][] = [];
        for (let i = 0; i < list.length; i += opts.wireSize) chunks.push(list.slice(i, i + opts.wireSize));
        // Each body is made while the one before travels.
        let body = bodyOf(source, chunks[0]!, known);
        for (let i = 0; i < chunks.length; i++) {
          const sending = sendChunk(source, chunks[i]!, known, await body);
          if (i + 1 < chunks.length) body = bodyOf(source, chunks[i + 1]!, known);
          const out = await sending;
          record(out.rows);
          pushed.push(...out.pushed);
          merges.push(...out.merges);
          failure ??= out.failure;
        }
      }
      if (toHandOver.length > 0) {
        const taken = new Set((await opts.handOver(toHandOver)).map((d) => d.id));
        record(
          toHandOver.map((d) => {
            const base = { id: d.id, rev: known.get(d.id)?.rev ?? "" };
            // Taken, or not for the server (purged here): nothing more to send either way.
            return taken.has(d.id) || d._deleted || d.anonymised
              ? { ...base, h: height(d) }
              : { ...base, h: known.get(d.id)?.h ?? 0, rejectedH: height(d) };
          }),
        );
        pushed.push(...toHandOver.filter((d) => taken.has(d.id)));
      }
    } finally {
      later(() => opts.pushed(pushed.filter(unchanged)));
    }
    if (merges.length > 0) await mergeConflicts(merges, docs, unchanged, recorded);
    // What the server failed to write: the push ends here, before its checkpoint passes them, and
    // is tried again after the usual pause (the agent sees the server's error meanwhile).
    if (failure) throw failure;
    return merges.length > 0;
  }

  /** A page's conflicts, merged here (their states recorded apart from the page's). */
  async function mergeConflicts(
    merges: ServerDoc[],
    docs: readonly Local[],
    unchanged: (d: GuichetRequest) => boolean,
    recorded: () => Promise<unknown>,
  ): Promise<void> {
    await recorded();
    // The server moved on: its copy merged here, sent at the next pass with its revision. Already
    // equal (an earlier answer lost on the way): recorded as such, nothing more to send.
    await applyServerDocs(merges, undefined, true);
    const after = await readStates(merges.map((m) => m.doc.id));
    const sent = new Map(docs.map((d) => [d.id, d]));
    opts.pushed(
      merges
        .filter((m) => after.get(m.doc.id)?.h === height(sent.get(m.doc.id)!))
        .map((m) => m.doc)
        .filter(unchanged),
    );
  }

  /** The `_bulk_docs` body of these documents, each update with the server revision it rests on. */
  const bodyOf = (source: Source, docs: readonly Local[], known: StateRows) =>
    source.client.bulkBody(docs.map((d) => toCouch(d, known.get(d.id)?.rev || undefined)));

  /** One `_bulk_docs`; what was not written is looked at again against the server's copy. */
  async function sendChunk(
    source: Source,
    docs: readonly Local[],
    known: StateRows,
    body: BulkBody,
  ): Promise<{ rows: SyncState[]; pushed: GuichetRequest[]; merges: ServerDoc[]; failure?: CouchHttpError }> {
    const baseOf = (id: string) => known.get(id)?.rev || undefined;
    const results = await source.client.bulkDocs(body);
    const byId = new Map(results.map((r) => [r.id, r]));
    const rows: SyncState[] = [];
    const pushed: GuichetRequest[] = [];
    const merges: ServerDoc[] = [];
    const again: Local[] = [];
    for (const d of docs) {
      const r = byId.get(d.id);
      if (r?.ok && r.rev) {
        rows.push({ id: d.id, rev: r.rev, h: height(d) });
        pushed.push(d);
      } else again.push(d);
    }
    if (again.length === 0) return { rows, pushed, merges };
    const server = await source.client.allDocs(again.map((d) => d.id));
    const current = new Map(server.rows.map((r) => [r.key, r.doc as CouchDoc | null | undefined]));
    let failure: CouchHttpError | undefined;
    for (const d of again) {
      const r = byId.get(d.id);
      const copy = current.get(d.id);
      const baseCurrent = !copy || copy._rev === baseOf(d.id);
      if (baseCurrent && (!r || SERVER_FAILURES.has(r.error ?? ""))) {
        // Not written, and nothing said of the document: sent again.
        failure ??= new CouchHttpError(503, r?.error ?? "no_answer", r?.reason ?? `${d.id} sans réponse`);
      } else if (r && r.error !== "conflict" && baseCurrent) {
        // PouchDB Server validates a stale revision against the current document and answers
        // "forbidden" where CouchDB answers "conflict": a refusal only counts if our base was current.
        await opts.flags.reject(d, r.reason ?? r.error ?? "refus sans motif");
        rows.push({ id: d.id, rev: baseOf(d.id) ?? "", h: known.get(d.id)?.h ?? 0, rejectedH: height(d) });
      } else if (copy) merges.push({ doc: fromCouch(copy), rev: String(copy._rev) });
      // Neither: deleted on the server meanwhile, sent again as new at the next pass.
    }
    return { rows, pushed, merges, ...(failure ? { failure } : {}) };
  }

  return {
    active$,
    error$,
    step,
    pullAll,
    pushAll,
    readAheadOfPush,
    applyPage,
    idle: () => queue,
    close: () => writesSub.unsubscribe(),
  };
}

/** A CouchDB revision's generation: "3-abc" is the third write of its document. */
const generation = (rev: string): number => Number.parseInt(rev, 10) || 0;

/** Equal as requests (RxDB's fields and the deletion flag aside from the content). */
function sameRequest(local: Local, server: Doc): boolean {
  if (!!local._deleted !== !!server._deleted) return false;
  return requestConflictHandler.isEqual(local, server);
}
export type Replicator = ReturnType<typeof replicator>;
