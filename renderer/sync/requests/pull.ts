import { type Checkpoint, type Seq, seqOf, withSeq } from "./checkpoints";
import { type Doc, requestsIn } from "./couch-docs";
import type { Source } from "./routing";

/**
 * One pull batch across the databases held, in order. RxDB stops pulling when a batch holds fewer
 * documents than asked for, so a batch thinned out by skipped design documents is topped up, or
 * the rest of the feed would wait for the next live change. `reachedEnd` hears where each feed ended.
 */
export async function pullBatch(
  sources: readonly Source[],
  checkpoint: Checkpoint | undefined,
  batchSize: number,
  reachedEnd: (key: string, seq: Seq) => void,
): Promise<{ documents: Doc[]; checkpoint: Checkpoint }> {
  let cp: Checkpoint = checkpoint ?? { seq: 0 };
  const documents: Doc[] = [];
  for (const source of sources) {
    let since = seqOf(cp, source.key);
    for (;;) {
      const limit = batchSize - documents.length;
      const res = await source.client.changes({ since, limit });
      documents.push(...requestsIn(res.results));
      since = res.last_seq as Seq;
      cp = withSeq(cp, source.key, since);
      if (documents.length >= batchSize) return { documents, checkpoint: cp };
      if (res.results.length < limit) {
        reachedEnd(source.key, since);
        break;
      }
    }
  }
  return { documents, checkpoint: cp };
}
