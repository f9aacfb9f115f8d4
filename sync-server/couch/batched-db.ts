import { BulkWriter, Linger } from "./bulk-writer";
import type { CouchDb, Doc } from "./couch-db";

type Waiter = { resolve: (doc: Doc | null) => void; reject: (err: Error) => void };

/**
 * Group reads: `get`s issued while a read is in flight go out together as one
 * `_all_docs?keys=…&include_docs=true`. A missing or deleted document reads as null, as `get` does.
 */
class BulkReader {
  private queue = new Map<string, Waiter[]>();
  private inFlight = 0;

  private readonly linger: Linger;

  constructor(
    private readonly db: CouchDb,
    lingerMs = 0,
    private readonly maxBatch = 200,
    private readonly maxInFlight = 2,
  ) {
    this.linger = new Linger(lingerMs);
  }

  get(id: string): Promise<Doc | null> {
    return new Promise((resolve, reject) => {
      const waiting = this.queue.get(id);
      if (waiting) waiting.push({ resolve, reject });
      else this.queue.set(id, [{ resolve, reject }]);
      this.pump();
    });
  }

  private pump(): void {
    const room = this.queue.size < this.maxBatch && this.inFlight < this.maxInFlight;
    this.linger.schedule(room, () => this.flushNow());
  }

  private flushNow(): void {
    while (this.inFlight < this.maxInFlight && this.queue.size > 0) {
      const batch = [...this.queue.entries()].slice(0, this.maxBatch);
      for (const [id] of batch) this.queue.delete(id);
      this.inFlight += 1;
      void this.flush(batch).finally(() => {
        this.inFlight -= 1;
        this.flushNow();
      });
    }
  }

  private async flush(batch: [string, Waiter[]][]): Promise<void> {
    try {
      const res = await this.db.allDocs<Doc>({ keys: batch.map(([id]) => id), include_docs: true });
      const byId = new Map(res.rows.map((r) => [r.key as string, r.doc ?? null]));
      for (const [id, waiters] of batch) for (const w of waiters) w.resolve(byId.get(id) ?? null);
    } catch (e) {
      for (const [, waiters] of batch) for (const w of waiters) w.reject(e as Error);
    }
  }
}

/**
 * The same database with group commit for single-document reads and writes: many jobs working
 * one document each (the outbox under a burst of submissions) cost a few `_all_docs` and
 * `_bulk_docs` calls instead of one request per step. Semantics do not change: a write with a
 * stale `_rev` still fails with a 409 for that document only. With `lingerMs`, a lone read or
 * write waits that long for company: right for background jobs, wrong for a citizen waiting.
 * With `writesInFlight: 1` and no linger, a write never waits for company but joins the next
 * batch while one is in flight: grouping without delay.
 */
export function batchedDb(db: CouchDb, opts: { lingerMs?: number; writesInFlight?: number } = {}): CouchDb {
  const writer = new BulkWriter(db, 100, opts.writesInFlight ?? 2, opts.lingerMs ?? 0);
  const reader = new BulkReader(db, opts.lingerMs ?? 0);
  return {
    ...db,
    get: (<T>(id: string, query: Record<string, string> = {}) =>
      Object.keys(query).length > 0 || id.startsWith("_")
        ? db.get<T>(id, query)
        : reader.get(id)) as CouchDb["get"],
    put: async (doc: Doc) => {
      if (doc._id.startsWith("_")) return db.put(doc);
      const rev = await writer.write(doc);
      return { ok: true, id: doc._id, rev };
    },
  };
}
