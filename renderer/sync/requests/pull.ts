import type { ChangesResult } from "../couch-client";
import { type Checkpoint, type Seq, seqOf, withSeq } from "./checkpoints";
import { type Doc, requestsIn } from "./couch-docs";
import type { Source } from "./routing";

export type PullBatch = (
  checkpoint: Checkpoint | undefined,
  batchSize: number,
) => Promise<{ documents: Doc[]; checkpoint: Checkpoint }>;

/**
 * One pull batch across the databases held, in order. RxDB stops pulling when a batch holds fewer
 * documents than asked for, so a batch thinned out by skipped design documents is topped up, or
 * the rest of the feed would wait for the next live change. `reachedEnd` hears where each feed ended.
 *
 * Read-ahead: a full batch means the feed goes on, so the next page is asked for at once, while
 * RxDB stores this one (its writes and the server's answer then overlap instead of taking turns).
 * The next call uses that page only if it asks for exactly that position and size; a page read a
 * moment early is still a true page of the feed, as anything written since comes after it.
 */
export function batchPuller(
  sources: readonly Source[],
  reachedEnd: (key: string, seq: Seq) => void,
): PullBatch {
  let ahead: { key: string; since: string; limit: number; page: Promise<ChangesResult> } | null = null;

  function changes(source: Source, since: Seq, limit: number): Promise<ChangesResult> {
    const read = ahead;
    ahead = null;
    if (read && read.key === source.key && read.since === JSON.stringify(since) && read.limit === limit)
      return read.page;
    return source.client.changes({ since, limit });
  }

  function readAhead(source: Source, since: Seq, limit: number): void {
    const page = source.client.changes({ since, limit });
    // A page nobody asks for is dropped; its failure is the next real call's to report.
    page.catch(() => undefined);
    ahead = { key: source.key, since: JSON.stringify(since), limit, page };
  }

  return async (checkpoint, batchSize) => {
    let cp: Checkpoint = checkpoint ?? { seq: 0 };
    const documents: Doc[] = [];
    for (const source of sources) {
      let since = seqOf(cp, source.key);
      for (;;) {
        const limit = batchSize - documents.length;
        const res = await changes(source, since, limit);
        documents.push(...requestsIn(res.results));
        since = res.last_seq as Seq;
        cp = withSeq(cp, source.key, since);
        if (documents.length >= batchSize) {
          if (res.results.length === limit) readAhead(source, since, batchSize);
          return { documents, checkpoint: cp };
        }
        if (res.results.length < limit) {
          reachedEnd(source.key, since);
          break;
        }
      }
    }
    return { documents, checkpoint: cp };
  };
}
