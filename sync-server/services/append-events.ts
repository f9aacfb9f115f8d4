import { withEvents } from "../../domain/history";
import type { GuichetRequest, RequestEvent } from "../../domain/request";
import { type CouchDb, CouchError } from "../couch/couch-db";

type Stored = GuichetRequest & { _id: string; _rev?: string };

/**
 * Adds events to a stored request as the server account, with optimistic concurrency: read,
 * decide from what is there NOW (`decide` returns the events to add, or none), write with the
 * revision read; a 409 means the document changed meanwhile (an agent's edit, a replication):
 * read again and decide again. `decide` therefore sees every concurrent change, which is what
 * makes "once" hold (an event already there is never added a second time).
 *
 * On a CouchDB cluster the read is a quorum GET (r = 2 of 3) and the write needs w = 2, so with
 * every node up two writers on one revision get one 201 and one 409. With a copy unreachable,
 * both may get 202 and leave two sibling revisions; only the winner is served, replicated and
 * merged by the workstations, so the loser's events stay invisible until the conflict merger
 * (conflict-merger.ts) writes every leaf's events on the winner and deletes the losers (found by
 * the chaos test on a cluster: an agent's event invisible on every replica).
 */
export async function appendEvents(
  db: CouchDb,
  id: string,
  decide: (doc: GuichetRequest) => RequestEvent[] | null,
  /** A copy just read (with its `_rev`): the first attempt starts from it instead of reading again. */
  known?: GuichetRequest,
): Promise<{ doc: GuichetRequest | null; added: RequestEvent[] }> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const doc =
      attempt === 0 && (known as Stored | undefined)?._rev ? (known as Stored) : await db.get<Stored>(id);
    if (!doc) return { doc: null, added: [] };
    const events = decide(doc);
    if (!events || events.length === 0) return { doc, added: [] };
    const next = withEvents(doc, events) as Stored;
    try {
      const res = await db.put(next);
      return { doc: { ...next, _rev: res.rev } as Stored, added: events };
    } catch (e) {
      if (await changedMeanwhile(db, id, doc._rev, e)) continue;
      throw e;
    }
  }
  throw new Error(`Demande ${id} : trop de modifications concurrentes, réessai plus tard.`);
}

/** Writes a whole new revision (anonymisation) with the same read-decide-write loop. */
export async function replaceRequest(
  db: CouchDb,
  id: string,
  change: (doc: GuichetRequest) => GuichetRequest | null,
): Promise<GuichetRequest | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const doc = await db.get<Stored>(id);
    if (!doc) return null;
    const next = change(doc);
    if (!next) return null;
    try {
      await db.put({ ...next, _id: doc._id, _rev: doc._rev } as Stored);
      return next;
    } catch (e) {
      if (await changedMeanwhile(db, id, doc._rev, e)) continue;
      throw e;
    }
  }
  throw new Error(`Demande ${id} : trop de modifications concurrentes, réessai plus tard.`);
}

/**
 * A 409, or a 403 for a document that changed since it was read: PouchDB Server validates a
 * stale revision against the current document and answers "forbidden" where CouchDB answers
 * "conflict". Either way, read again and decide again.
 */
async function changedMeanwhile(
  db: CouchDb,
  id: string,
  rev: string | undefined,
  e: unknown,
): Promise<boolean> {
  if (!(e instanceof CouchError)) return false;
  if (e.status === 409) return true;
  if (e.status !== 403) return false;
  const now = await db.get<Stored>(id);
  return now?._rev !== rev;
}
