import { type CouchDb, CouchError } from "../couch/couch-db";

/** Where the next search for a free block starts: a hint, never the proof that a block is free. */
type HintDoc = {
  _id: string;
  _rev?: string;
  _conflicts?: string[];
  type: "counter";
  next: number;
  /** A counter keeps one block size: claims are named by their first value only. */
  blockSize?: number;
  updatedAt: string;
};

/** The proof: whoever created this document with the write quorum owns [start, start + size). */
type ClaimDoc = {
  _id: string;
  type: "counter-block";
  counter: string;
  start: number;
  size: number;
  at: string;
};

export const claimId = (counter: string, start: number): string => `${counter}:bloc:${start}`;

/**
 * Reserves `size` consecutive values of a counter: values are never handed out twice, across
 * restarts, processes and the nodes of a CouchDB cluster, even with a node down. A process that
 * stops loses the rest of its block (gaps are harmless, reuse would not be).
 *
 * A block is owned by creating its claim document, and only a creation the database confirms on
 * its write quorum counts (201; a cluster answers 202 below it). Why this holds on a cluster
 * (n copies, w = a majority) where a compare-and-swap on one counter document did not: each copy
 * accepts the creation of a given id at most once (a second creation is a conflict there), so two
 * writers cannot both gather a majority of acceptances. A compare-and-swap has no such bound: two
 * sibling revisions, each a leaf on different copies, can each accept one child, and two writers
 * then both reach w copies holding the same `next`. Reads do not help: a quorum read of copies
 * that disagree returns one copy's view, without the other copy's sibling.
 *
 * The counter document only says where to start looking; a stale or regressed hint costs one
 * conflict per block already claimed, never a reuse. Claims are never deleted.
 */
export async function reserveBlock(db: CouchDb, id: string, size: number, first = 1): Promise<number> {
  let start = (await readHint(db, id, size, first)).next;
  let unconfirmed = 0;
  for (let attempt = 0; attempt < 100; attempt++) {
    const claim: ClaimDoc = {
      _id: claimId(id, start),
      type: "counter-block",
      counter: id,
      start,
      size,
      at: new Date().toISOString(),
    };
    try {
      const { quorum } = await db.create(claim);
      if (quorum) {
        // The block is ours whatever happens to the hint.
        await raiseHint(db, id, size, start + size).catch(() => undefined);
        return start;
      }
      // Stored on too few copies: perhaps ours, perhaps not; never used (a gap).
      if (++unconfirmed >= MAX_UNCONFIRMED)
        throw new Error(
          `Compteur ${id} : la base n'a pas confirmé l'écriture sur assez de copies, réservation impossible.`,
        );
      start += size;
    } catch (e) {
      if (!(e instanceof CouchError && e.status === 409)) throw e;
      // Claimed already: go past it, and past the hint if someone has raised it since.
      start = Math.max(start + size, (await readHint(db, id, size, first)).next);
      // Contention: back off a little, with jitter, so competing processes do not collide again.
      await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
    }
  }
  throw new Error(`Compteur ${id} : trop de conflits, réservation impossible.`);
}

/** A cluster missing its quorum answers every claim with 202: stop early rather than burn blocks. */
const MAX_UNCONFIRMED = 3;

/** The hint: the highest `next` among the counter document's leaves (siblings included). */
async function readHint(
  db: CouchDb,
  id: string,
  size: number,
  first: number,
): Promise<{ next: number; doc: HintDoc | null; siblings: string[] }> {
  const doc = await db.get<HintDoc>(id, { conflicts: "true" });
  if (!doc) return { next: first, doc: null, siblings: [] };
  if (doc.blockSize !== undefined && doc.blockSize !== size)
    throw new Error(
      `Compteur ${id} : taille de bloc ${size} au lieu de ${doc.blockSize} ; changer de taille demande un autre compteur.`,
    );
  const siblings = siblingsOf(doc);
  let next = doc.next;
  for (const rev of siblings) {
    const other = await db.get<HintDoc>(id, { rev });
    if (other) next = Math.max(next, other.next);
  }
  return { next, doc, siblings };
}

/** Moves the hint up to `next` (never down) and folds its siblings; best effort, as it is only a hint. */
async function raiseHint(db: CouchDb, id: string, size: number, next: number): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const hint = await readHint(db, id, size, next);
    if (hint.doc && hint.next >= next && hint.siblings.length === 0 && hint.doc.blockSize === size) return;
    try {
      await db.put({
        _id: id,
        ...(hint.doc?._rev ? { _rev: hint.doc._rev } : {}),
        type: "counter",
        next: Math.max(next, hint.next),
        blockSize: size,
        updatedAt: new Date().toISOString(),
      } satisfies HintDoc);
      if (hint.siblings.length > 0) await dropSiblings(db, id, hint.siblings);
      return;
    } catch (e) {
      if (!(e instanceof CouchError && e.status === 409)) throw e;
    }
  }
}

/**
 * The losing leaves. PouchDB Server (the embedded default) lists the winning revision itself in
 * `_conflicts` after two writes of one revision in the same `_bulk_docs`: never count it, never
 * delete it.
 */
export function siblingsOf(doc: { _rev?: string; _conflicts?: string[] }): string[] {
  return (doc._conflicts ?? []).filter((rev) => rev !== doc._rev);
}

/** The winner now holds the highest `next` of all leaves: deleting the others loses nothing. */
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
