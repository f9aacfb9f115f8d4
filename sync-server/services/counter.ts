import { type CouchDb, CouchError } from "../couch/couch-db";

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
 *   same block. So a block is ours only when quorum reads right after the write, and again a
 *   moment later, show our revision on the winning branch with no conflict. Otherwise the writer gives
 *   the block up (a gap), the losing siblings are deleted and it reserves again on top of the
 *   winner. Siblings share their parent's `next`, and every later write extends the winner, so
 *   no value is reused. Residual risk: a copy that answers neither write nor read for a while
 *   (not a crash, which the node-failure test covers) could still let two quorum reads disagree.
 */
export async function reserveBlock(db: CouchDb, id: string, size: number, first = 1): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const doc = await db.get<CounterDoc>(id, { conflicts: "true" });
    const siblings = doc ? siblingsOf(doc) : [];
    if (siblings.length > 0) await dropSiblings(db, id, siblings);
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

/**
 * True when `rev` is on the counter's winning branch (the winner, or an ancestor of it once another
 * process reserved the next block on top), with no conflict, in a quorum read and again a moment
 * later. One read is not enough: each copy reports only the siblings it holds, and a sibling can
 * land on a copy between the read of that copy and the read repair that follows it (seen on a
 * cluster with a node down: one read let two processes keep the same block). The repair has put
 * our revision on every live copy before the first read answers, so a later write on the old
 * revision is refused there, and a sibling that slipped in shows in the second read.
 */
async function soleWinner(db: CouchDb, id: string, rev: string): Promise<boolean> {
  const [generation, hash] = rev.split("-");
  for (const wait of [0, CONFIRM_MS]) {
    if (wait) await new Promise((r) => setTimeout(r, wait));
    const back = await db.get<CounterDoc & { _revisions?: { start: number; ids: string[] } }>(id, {
      conflicts: "true",
      revs: "true",
    });
    if (!back || siblingsOf(back).length > 0) return false;
    const history = back._revisions;
    const onBranch = history ? history.ids[history.start - Number(generation)] === hash : back._rev === rev;
    if (!onBranch) return false;
  }
  return true;
}

/** A pause between the two reads (reservations run ahead of need: only a process's first one is waited for). */
const CONFIRM_MS = 30;

/**
 * The losing leaves. PouchDB Server (the embedded default) lists the winning revision itself in
 * `_conflicts` after two writes of one revision in the same `_bulk_docs`: never count it, never
 * delete it.
 */
export function siblingsOf(doc: { _rev?: string; _conflicts?: string[] }): string[] {
  return (doc._conflicts ?? []).filter((rev) => rev !== doc._rev);
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
