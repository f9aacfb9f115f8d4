import { type CouchDb, CouchError } from "../http/couch-db";

type CounterDoc = { _id: string; _rev?: string; type: "counter"; next: number; updatedAt: string };

/**
 * Reserves `size` consecutive values of a counter document (`next` = first value nobody holds),
 * with optimistic concurrency: a 409 means another process took a block first, so re-read and
 * try again. Values are never handed out twice, across restarts and processes; a process that
 * stops loses the rest of its block (gaps are harmless, reuse would not be).
 */
export async function reserveBlock(db: CouchDb, id: string, size: number, first = 1): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const doc = await db.get<CounterDoc>(id);
    const start = doc ? doc.next : first;
    const next: CounterDoc = {
      _id: id,
      ...(doc?._rev ? { _rev: doc._rev } : {}),
      type: "counter",
      next: start + size,
      updatedAt: new Date().toISOString(),
    };
    try {
      await db.put(next);
      return start;
    } catch (e) {
      if (e instanceof CouchError && e.status === 409) {
        // Contention: back off a little, with jitter, so competing processes do not collide again.
        await new Promise((r) => setTimeout(r, Math.random() * 10 * (attempt + 1)));
        continue;
      }
      throw e;
    }
  }
  throw new Error(`Compteur ${id} : trop de conflits, réservation impossible.`);
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
