import { INDEX_MAX, INDEX_MIN, type PreparedQuery } from "rxdb";
import type { Checkpoint } from "./row-snapshot";

/**
 * The documents written after a checkpoint, deleted ones included, in last-write order: the
 * replication's "changed since" read (RxDB's getChangedDocumentsSince), with one difference. Many
 * documents share a write time (a bulk insert, a pulled batch); RxDB's own query starts at the
 * checkpoint's time and filters the ties one by one, so every tranche re-reads the rest of its
 * batch. Here the index range starts strictly after (time, id): each document is read once.
 */
export function changesQuery(
  primary: string,
  after: Checkpoint | null,
  limit: number,
): PreparedQuery<unknown> {
  return {
    query: {
      selector: {},
      sort: [{ "_meta.lwt": "asc" }, { [primary]: "asc" }] as never,
      skip: 0,
      limit,
    },
    queryPlan: {
      index: ["_meta.lwt", primary],
      startKeys: after ? [after.lwt, after.id] : [INDEX_MIN, INDEX_MIN],
      endKeys: [INDEX_MAX, INDEX_MAX],
      inclusiveStart: after === null,
      inclusiveEnd: true,
      sortSatisfiedByIndex: true,
      selectorSatisfiedByIndex: true,
    },
  };
}
