import { type CouchDb, CouchError } from "./couch-db";

type Pending = { doc: { _id: string }; resolve: (rev: string) => void; reject: (err: Error) => void };

/**
 * The group-commit timer of the grouped readers and writers: flush at once, or, when there is room
 * (the batch is not full and another request may start), once after `ms` so that more join it.
 */
export class Linger {
  private waiting = false;
  constructor(private readonly ms: number) {}

  schedule(room: boolean, flush: () => void): void {
    if (this.ms > 0 && room) {
      if (this.waiting) return;
      this.waiting = true;
      setTimeout(() => {
        this.waiting = false;
        flush();
      }, this.ms);
      return;
    }
    flush();
  }
}

/**
 * Group commit: submissions that arrive while a write is in flight go out together in the next
 * `_bulk_docs` (one round trip and one validation pass for the batch instead of one per request).
 * With no load a document is written at once; under load batches grow by themselves. Each
 * submission still gets its own answer: rows are matched by id (PouchDB Server reorders them).
 */
export class BulkWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private docsInFlight = 0;
  private idle: (() => void)[] = [];

  private readonly linger: Linger;

  /**
   * `lingerMs`: wait that long before a write that is not pressed for time, so more join it
   * (background jobs); 0 for the portal, whose citizens wait for the answer.
   */
  constructor(
    private readonly db: CouchDb,
    private readonly maxBatch = 100,
    private readonly maxInFlight = 2,
    lingerMs = 0,
  ) {
    this.linger = new Linger(lingerMs);
  }

  /** Documents queued or being written: how busy the writer's callers are. */
  backlog(): number {
    return this.queue.length + this.docsInFlight;
  }

  write(doc: { _id: string }): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      this.pump();
    });
  }

  /** Resolves once everything queued so far is written (used on shutdown). */
  drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((r) => this.idle.push(r));
  }

  private pump(): void {
    const room = this.queue.length < this.maxBatch && this.inFlight < this.maxInFlight;
    this.linger.schedule(room, () => this.flushNow());
  }

  private flushNow(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.nextBatch();
      this.inFlight += 1;
      this.docsInFlight += batch.length;
      void this.flush(batch).finally(() => {
        this.inFlight -= 1;
        this.docsInFlight -= batch.length;
        this.pump();
        if (this.queue.length === 0 && this.inFlight === 0) for (const r of this.idle.splice(0)) r();
      });
    }
  }

  /**
   * Up to `maxBatch` writes, one per document: answers are matched by id, so a second write of the
   * same document waits for the next batch (in one batch both were told the loser's conflict, the
   * winner included, which then read its own change back and reported nothing done).
   */
  private nextBatch(): Pending[] {
    const batch: Pending[] = [];
    const ids = new Set<string>();
    const later: Pending[] = [];
    for (const p of this.queue) {
      if (batch.length < this.maxBatch && !ids.has(p.doc._id)) {
        ids.add(p.doc._id);
        batch.push(p);
      } else later.push(p);
    }
    this.queue = later;
    return batch;
  }

  private async flush(batch: Pending[]): Promise<void> {
    let rows: Awaited<ReturnType<CouchDb["bulkDocs"]>>;
    try {
      rows = await this.db.bulkDocs(batch.map((p) => p.doc));
    } catch (e) {
      // Refused as a whole (one document CouchDB cannot take fails the request: 400, 413): the
      // others of the batch were fine, so each is written alone and only the culprit fails.
      if (batch.length > 1 && e instanceof CouchError && (e.status === 400 || e.status === 413)) {
        await Promise.all(batch.map((p) => this.flush([p])));
        return;
      }
      for (const p of batch) p.reject(e as Error);
      return;
    }
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const p of batch) {
      const row = byId.get(p.doc._id);
      if (row?.rev && !row.error) p.resolve(row.rev);
      else
        p.reject(
          new CouchError(
            row?.error === "conflict" ? 409 : 403,
            row?.error ?? "missing_row",
            row?.reason ?? "",
          ),
        );
    }
  }
}
