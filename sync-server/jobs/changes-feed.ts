import { type CouchDb, CouchError } from "../couch/couch-db";

export type Follower = { stop(): Promise<void> };

type Checkpoint = { _id: string; _rev?: string; type: "checkpoint"; seq: unknown };

/**
 * Follows a database's `_changes` feed (long-poll), hands each batch of documents to `onDocs`,
 * then moves the position kept in a `checkpoint:<id>` document of `checkpoints`: the server-only
 * database, never the followed one, whose members (agents) could move a `_local/` document and
 * freeze or replay the server's work (validate_doc_update does not guard `_local/`). Work that must not be
 * lost is made durable by `onDocs` before the position moves, so a crash replays a few batches
 * at worst: handlers are idempotent. The sequence is kept opaque (a string on CouchDB 3, a
 * number on PouchDB Server). Under a stream of writes, polls are spaced by `pollGapMs` so that
 * changes arrive in batches, and the position is saved every `saveEveryMs` (and on stop) rather
 * than after every batch: each request to the database costs CPU the portal needs.
 *
 * On a CouchDB cluster: the feed of one node reads one copy of each shard, so a change shows up
 * there a moment after the write was acknowledged, never not at all. A position saved on one
 * node and resumed on another (a load balancer, a node that died) is a vector of per-copy
 * positions: the new node may start a copy further back and replay changes already seen, it
 * never skips one. Handlers must therefore be idempotent, and they decide from a quorum read of
 * the document rather than from the feed's copy when it matters (the outbox re-reads the request).
 */
export function followChanges<T>(
  db: CouchDb,
  opts: {
    checkpointId: string;
    /** Where the position is kept (the server database, written by the server account only). */
    checkpoints: CouchDb;
    onDocs: (docs: T[]) => Promise<void>;
    onError?: (err: unknown) => void;
    batchSize?: number;
    longpollMs?: number;
    pollGapMs?: number;
    saveEveryMs?: number;
    /** Extra `_changes` parameters (the conflict merger asks for every leaf: `style=all_docs`, `conflicts=true`). */
    query?: Record<string, string>;
  },
): Follower {
  const controller = new AbortController();
  let stopped = false;
  const checkpointDocId = `checkpoint:${opts.checkpointId}`;
  const batchSize = opts.batchSize ?? 200;
  const pollGapMs = opts.pollGapMs ?? 100;
  const saveEveryMs = opts.saveEveryMs ?? 2_000;
  let checkpoint: Checkpoint | null = null;
  let position: unknown;
  let savedAt = 0;

  async function save(): Promise<void> {
    if (!checkpoint || JSON.stringify(position) === JSON.stringify(checkpoint.seq)) return;
    const saved = await opts.checkpoints.put({ ...checkpoint, seq: position });
    checkpoint = { ...checkpoint, seq: position, _rev: saved.rev };
    savedAt = Date.now();
  }

  const loop = (async () => {
    let failures = 0;
    while (!stopped) {
      try {
        if (!checkpoint) {
          checkpoint = (await opts.checkpoints.get<Checkpoint>(checkpointDocId)) ?? {
            _id: checkpointDocId,
            type: "checkpoint",
            seq: 0,
          };
          position = checkpoint.seq;
        }
        const since: unknown = position;
        const res: Awaited<ReturnType<typeof db.changes<T>>> = await db.changes<T>(
          {
            feed: "longpoll",
            since: typeof since === "string" ? since : JSON.stringify(since ?? 0),
            include_docs: "true",
            limit: String(batchSize),
            timeout: String(opts.longpollMs ?? 25_000),
            style: "main_only",
            ...opts.query,
          },
          controller.signal,
        );
        const docs = res.results
          .filter((row) => !row.deleted && row.doc && !row.id.startsWith("_design/"))
          .map((row) => row.doc as T);
        if (docs.length > 0) await opts.onDocs(docs);
        position = res.last_seq;
        if (Date.now() - savedAt >= saveEveryMs) await save();
        failures = 0;
        // More may be coming: let them gather into the next batch.
        if (res.results.length > 0 && res.results.length < batchSize)
          await sleep(pollGapMs, controller.signal);
      } catch (e) {
        if (stopped) break;
        // A position written meanwhile (another follower with the same id): read it again.
        if (e instanceof CouchError && e.status === 409) checkpoint = null;
        else opts.onError?.(e);
        failures += 1;
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)), controller.signal);
      }
    }
  })();

  return {
    async stop() {
      stopped = true;
      controller.abort();
      await loop;
      await save().catch(() => undefined);
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
