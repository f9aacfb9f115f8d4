import { type CouchDb, CouchError } from "../http/couch-db";

type CounterDoc = {
  _id: string;
  _rev?: string;
  _conflicts?: string[];
  type: "counter";
  next: number;
  updatedAt: string;
};

/**
 * Reserves `size` consecutive values of a counter document (`next` = first value nobody holds),
 * with optimistic concurrency: a 409 means another process took a block first, so re-read and
 * try again. Values are never handed out twice, across restarts and processes; a process that
 * stops loses the rest of its block (gaps are harmless, reuse would not be).
 *
 * On a CouchDB cluster (n = 3 copies, w = r = 2) the compare-and-swap is not enough by itself:
 * - the counter is read with a document GET (a quorum), never through a view or `_find`, which
 *   read one copy per shard and may show an older `next`;
 * - with one copy unreachable, two writers on the same revision can each get `202 Accepted`
 *   (each landed on one copy): the document then holds two sibling revisions, both claiming the
 *   same block. So a block is ours only when a quorum read right after the write shows our
 *   revision as the winner with no conflict. Otherwise both writers give the block up (a gap),
 *   the losing siblings are deleted and they reserve again on top of the winner. Siblings share
 *   their parent's `next`, and every later write extends the winner, so no value is reused.
 */
export async function reserveBlock(db: CouchDb, id: string, size: number, first = 1): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const doc = await db.get<CounterDoc>(id, { conflicts: "true" });
    if (doc?._conflicts?.length) await dropSiblings(db, id, doc._conflicts);
    const start = doc ? doc.next : first;
    const next: CounterDoc = {
      _id: id,
      ...(doc?._rev ? { _rev: doc._rev } : {}),
      type: "counter",
      next: start + size,
      updatedAt: new Date().toISOString(),
    };
    try {
      const written = await db.put(next);
      if (await soleWinner(db, id, written.rev)) return start;
    } catch (e) {
      if (!(e instanceof CouchError && e.status === 409)) throw e;
    }
    // Contention: back off a little, with jitter, so competing processes do not collide again.
    await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
  }
  throw new Error(`Compteur ${id} : trop de conflits, réservation impossible.`);
}

/** True when a quorum read shows `rev` as the counter's only current revision. */
async function soleWinner(db: CouchDb, id: string, rev: string): Promise<boolean> {
  const back = await db.get<CounterDoc>(id, { conflicts: "true" });
  return back?._rev === rev && !back._conflicts?.length;
}

/** Losing siblings hold a `next` no greater than the winner's: deleting them loses nothing. */
async function dropSiblings(db: CouchDb, id: string, revs: string[]): Promise<void> {
  await db.bulkDocs(revs.map((rev) => ({ _id: id, _rev: rev, _deleted: true })));
}

/**
 * Hands out values one at a time from blocks reserved with `reserveBlock`: one database write
 * per `blockSize` values instead of one per value. The next block is reserved in the background
 * once half of the current one is used, so no caller waits for the database (it would show in
 * the tail latency: one submission in fifty).
 */
export class BlockCounter {
  private nextValue = 0;
  private end = 0;
  private ahead: Promise<number> | null = null;

  constructor(
    private readonly db: CouchDb,
    private readonly id: string,
    private readonly blockSize: number,
    private readonly max = Number.MAX_SAFE_INTEGER,
  ) {}

  async take(): Promise<number> {
    while (this.nextValue >= this.end) {
      const pending = this.reserveAhead();
      const start = await pending;
      // Several callers may wait on the same reservation: the first one installs it.
      if (this.ahead === pending) {
        this.ahead = null;
        this.nextValue = start;
        this.end = start + this.blockSize;
      }
    }
    const value = this.nextValue++;
    if (value > this.max) throw new Error(`Compteur ${this.id} épuisé (${this.max}).`);
    if (this.end - this.nextValue < this.blockSize / 2) void this.reserveAhead().catch(() => undefined);
    return value;
  }

  private reserveAhead(): Promise<number> {
    if (!this.ahead) {
      const p = reserveBlock(this.db, this.id, this.blockSize);
      this.ahead = p;
      // A failed reservation is forgotten so the next call tries again.
      p.catch(() => {
        if (this.ahead === p) this.ahead = null;
      });
    }
    return this.ahead;
  }
}
