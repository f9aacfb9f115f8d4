import { infiniteQueryOptions, queryOptions } from "@tanstack/react-query";
import type { Commune } from "../../../domain/commune";
import { parisDate } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { type Cursor, fetchPage, type IndexedQuery, type Page } from "../../db/indexed-query";
import type { LocalData } from "../../db/local-database";
import { planQueue, type QueueContext, type QueueFilters, type QueueId } from "../../db/queues";

const PAGE_SIZE = 50;

/** What a queue depends on besides its filters: the agent's service, today, the commune's "soon". */
export function queueContext(myService: string, commune: Commune): QueueContext {
  return { myService, today: parisDate(new Date().toISOString()), soonDays: commune.risk.soonDays };
}

/** One definition of a list's query, for the list itself and for prefetching it on navigation. */
export function listOptions(data: LocalData, key: unknown[], query: IndexedQuery) {
  return infiniteQueryOptions({
    queryKey: ["requests", "list", ...key],
    queryFn: ({ pageParam }) => fetchPage(data, query, pageParam, PAGE_SIZE),
    initialPageParam: null as Cursor | null,
    getNextPageParam: (last) => last.next,
  });
}

export function queueListOptions(data: LocalData, queue: QueueId, filters: QueueFilters, ctx: QueueContext) {
  return listOptions(data, [queue, filters, ctx], planQueue(queue, filters, ctx));
}

export function requestOptions(data: LocalData, id: string) {
  return queryOptions({ queryKey: ["requests", "one", id], queryFn: () => data.repo.get(id) });
}

/** Every row of a list, page after page by keyset (an export wants them all, not what is on screen). */
export async function readAll(
  data: LocalData,
  query: IndexedQuery,
  pageSize = 500,
): Promise<GuichetRequest[]> {
  const rows: GuichetRequest[] = [];
  let after: Cursor | null = null;
  do {
    const page: Page = await fetchPage(data, query, after, pageSize);
    rows.push(...page.rows);
    after = page.next;
  } while (after);
  return rows;
}
