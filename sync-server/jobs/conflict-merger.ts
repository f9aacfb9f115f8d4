import { mergeRequests, sameRequestState } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { type CouchDb, CouchError } from "../couch/couch-db";
import { siblingsOf } from "../services/counter";
import { type FeedReaction, runFeedReactions } from "./feed-runner";

type Stored = GuichetRequest & { _id: string; _rev: string; _conflicts?: string[] };

/** What to write for one document with siblings: the merged winner (or null: it already holds everything), the leaves to delete. */
export type MergePlan = { winner: Stored | null; deletions: { _id: string; _rev: string; _deleted: true }[] };

/**
 * The merge decision, pure: every leaf's events in one document written on the winning revision
 * (domain mergeRequests: union of events, anonymisation wins), and every losing leaf deleted.
 * When the winner already holds every event (a second run, or a run that stopped between its two
 * writes), nothing is rewritten and only the deletions remain: the merger is idempotent.
 */
export function planMerge(winner: Stored, losers: readonly Stored[]): MergePlan {
  const merged = losers.reduce((acc, l) => mergeRequests(acc, plain(l)), plain(winner));
  const unchanged = sameRequestState(plain(winner), merged);
  return {
    winner: unchanged ? null : ({ ...merged, _id: winner._id, _rev: winner._rev } as Stored),
    deletions: losers.map((l) => ({ _id: l._id, _rev: l._rev, _deleted: true as const })),
  };
}

/** The domain document without CouchDB's fields (they must not weigh in mergeRequests' choice). */
function plain(doc: Stored): GuichetRequest {
  const { _id: _i, _rev: _r, _conflicts: _c, ...request } = doc;
  return request as GuichetRequest;
}

/**
 * Whether a quorum read shows the leaves a feed listed: each revision's latest leaf is among the
 * leaves it listed, or deleted (a branch already ended by a merge). A revision missing from the
 * copies asked, or leading to a live leaf they do not list, is still on its way between copies.
 */
function quorumShows(
  latest: readonly ({ ok: { _rev?: string; _deleted?: boolean } } | { missing: string })[],
  leaves: readonly string[],
): boolean {
  return latest.every((r) => !("missing" in r) && (r.ok._deleted || leaves.includes(String(r.ok._rev))));
}

/** The wait before another try, longer at each attempt: copies of a cluster catching up. */
const pause = (attempt: number) => new Promise((r) => setTimeout(r, 200 * (attempt + 1)));

/**
 * Merges the sibling revisions of one request, as the server account. Read the winner with its
 * conflicts and each losing leaf by revision (quorum reads on a cluster), write the merged
 * document on the winner, then delete the losers, in that order: deleting first and failing the
 * write would lose the losers' events. A 409 (the document moved meanwhile) reads again and
 * decides again. Returns true when something was written.
 *
 * `listed`: the leaves the feed's copy showed. On a cluster a sibling can sit on that copy alone
 * for a while; a quorum read of the other two then shows no conflict, and the feed's copy will
 * not report the document again. So the merge waits until the quorum shows every listed leaf.
 */
export async function mergeSiblings(
  db: CouchDb,
  id: string,
  listed: readonly string[] = [],
): Promise<boolean> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const winner = await db.get<Stored>(id, { conflicts: "true" });
    if (winner?.type !== "request") return false;
    const revs = siblingsOf(winner);
    const leaves = [winner._rev, ...revs];
    const unseen = listed.filter((rev) => !leaves.includes(rev));
    if (unseen.length > 0 && !quorumShows(await db.latestLeaves(id, unseen), leaves)) {
      await pause(attempt);
      continue;
    }
    if (revs.length === 0) return false;
    const read = await Promise.all(revs.map((rev) => db.get<Stored>(id, { rev })));
    // On a cluster a sibling held by one copy only is listed by the winner's read but not yet found
    // by a quorum read of its revision (404, seen in sync.test): wait for it, never merge without it.
    if (read.some((l) => l === null)) {
      await pause(attempt);
      continue;
    }
    const losers = read.filter((l): l is Stored => l?.type === "request");
    const plan = planMerge(winner, losers);
    try {
      if (plan.winner) await db.put(plan.winner);
    } catch (e) {
      if (e instanceof CouchError && (e.status === 409 || e.status === 403)) continue;
      throw e;
    }
    // A leaf that got a child meanwhile answers 409: the next pass merges the new leaf.
    const rows = await db.bulkDocs(plan.deletions);
    const refused = rows.find((r) => r.error && r.error !== "conflict");
    if (refused) throw new CouchError(403, refused.error ?? "error", refused.reason ?? "");
    if (rows.every((r) => !r.error)) return true;
  }
  throw new Error(`Demande ${id} : révisions sœurs toujours en mouvement, fusion reportée.`);
}

export type ConflictMerger = { stop(): Promise<void> };

/**
 * Merges sibling revisions of requests as soon as they appear, and once at start-up over every
 * request of each database (siblings made while the server was down, or before this job existed).
 *
 * Why siblings exist at all: on a CouchDB cluster (n=3, w=2) with a copy unreachable, two writes
 * on one revision can each be accepted by a different copy (202); when the copies meet again the
 * document has two leaves. CouchDB serves one (a deterministic winner) and the other's events
 * would be invisible to every workstation. Workstations replicate, hence see and merge, the
 * winner only.
 *
 * Cluster reasoning. The feed of one node reads one copy of each shard, late but never missing a
 * change: the sibling's arrival on that copy (internal replication, read repair) is itself a
 * change, so every document that gains a leaf comes through. `style=all_docs` and `conflicts`
 * only pick out the candidates; the decision is made from quorum reads (GET with conflicts=true,
 * GET by rev), after they show every leaf the feed's copy listed (mergeSiblings).
 * The write on the winner uses its revision: a concurrent agent write gives 409 and the merge
 * reads again; with a copy down, the merger's own write can itself leave a sibling, which comes
 * back through the feed and is merged by the next pass. Deleting a leaf only ends a branch whose
 * events the winner now holds (mergeRequests is a union, deterministic, idempotent), so two
 * server processes merging the same document, or a replay after a crash, write the same events
 * and at worst delete a leaf already deleted (409, ignored). Deleted leaves stay listed by
 * `style=all_docs` forever; `conflicts=true` lists only live ones, so they cost one read, no write.
 */
export function startConflictMerger(o: {
  databases: string[];
  db: (name: string) => CouchDb;
  checkpoints: CouchDb;
  instanceId: string;
  onError: (err: unknown) => void;
}): ConflictMerger {
  const merging = conflictMerging(o);
  const feeds = runFeedReactions({
    checkpoints: o.checkpoints,
    reactions: [merging.reaction],
    onError: o.onError,
  });
  return {
    async stop() {
      await Promise.all([merging.stop(), feeds.stop()]);
    },
  };
}

/** The merger as a reaction of the feed runner, with its start-up sweep already running. */
export function conflictMerging(o: {
  databases: string[];
  db: (name: string) => CouchDb;
  instanceId: string;
  onError: (err: unknown) => void;
}): ConflictMerger & { reaction: FeedReaction<Stored> } {
  const controller = new AbortController();
  async function mergeReported(db: CouchDb, id: string, listed?: readonly string[]): Promise<void> {
    try {
      await mergeSiblings(db, id, listed);
    } catch (e) {
      // A refusal is reported, not retried forever; a network failure replays the batch.
      if (!(e instanceof CouchError && e.status >= 400 && e.status < 500)) throw e;
      o.onError(e);
    }
  }
  const sweeps = o.databases.map((name) =>
    sweep(o.db(name), (id) => mergeReported(o.db(name), id), o.onError, controller.signal).catch((e) => {
      if (!controller.signal.aborted) o.onError(e);
    }),
  );
  return {
    reaction: {
      databases: o.databases,
      checkpointId: (name) => `guichet-merger-${o.instanceId}-${name}`,
      db: o.db,
      query: { style: "all_docs", conflicts: "true" },
      onDocs: async (name, docs) => {
        for (const d of docs) {
          const siblings = siblingsOf(d);
          if (siblings.length > 0) await mergeReported(o.db(name), d._id, [d._rev, ...siblings]);
        }
      },
    },
    async stop() {
      controller.abort();
      await Promise.all(sweeps);
    },
  };
}

/** `_changes` from 0, every leaf listed, by pages: each document with more than one leaf is examined. */
async function sweep(
  db: CouchDb,
  merge: (id: string) => Promise<void>,
  onError: (e: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  let since: unknown = 0;
  while (!signal.aborted) {
    const page = await db.changes<Stored>(
      { since: typeof since === "string" ? since : JSON.stringify(since), style: "all_docs", limit: "500" },
      signal,
    );
    for (const row of page.results) {
      if (signal.aborted) return;
      if (!row.deleted && (row.changes?.length ?? 0) > 1 && !row.id.startsWith("_design/"))
        await merge(row.id).catch(onError);
    }
    if (page.results.length < 500) return;
    since = page.last_seq;
  }
}
