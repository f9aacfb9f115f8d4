// biome-ignore-all lint/a11y/useSemanticElements: virtualised rows are absolutely positioned divs; ARIA table roles carry the semantics that <table> layout cannot keep here
// biome-ignore-all lint/a11y/useFocusableInteractive: rows and cells of a (non-grid) ARIA table are not focusable; the link in each row is
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef } from "react";
import type { GuichetRequest } from "../../../domain/request";
import { countIndexed, type IndexedQuery } from "../../db/indexed-query";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { listOptions } from "../shared/queue-queries";
import { PageSelection, type RowSelection } from "../supervisor/PageSelection";
import { RequestRow, RequestRowHeader } from "./RequestRow";

const ROW_HEIGHT = 44;

/**
 * A list of any length: pages of 50 read by keyset as the agent scrolls, and only the rows on
 * screen in the DOM (@tanstack/react-virtual), so 100,000 local requests scroll like 50.
 */
export function RequestList({
  queryKey,
  query,
  label,
  selection,
}: {
  queryKey: unknown[];
  query: IndexedQuery;
  label: string;
  /** Given to supervisors: a checkbox per row and "select this page". */
  selection?: RowSelection;
}) {
  const { data } = useWorkstation();
  const pages = useInfiniteQuery(listOptions(data, queryKey, query));
  // Counted once the first page is there: the rows come first, on one thread.
  const count = useQuery({
    queryKey: ["requests", "count", ...queryKey],
    queryFn: () => countIndexed(data, query),
    enabled: pages.isFetched,
  });
  const rows: GuichetRequest[] = pages.data?.pages.flatMap((p) => p.rows) ?? [];
  const more = pages.hasNextPage;
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length + (more ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
    // Rows render with the data, not one ResizeObserver round later (a frame): the real size follows.
    initialRect: { width: 1000, height: 600 },
  });
  const items = virtual.getVirtualItems();
  const lastIndex = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (more && !pages.isFetchingNextPage && lastIndex >= rows.length - 1) void pages.fetchNextPage();
  }, [more, pages.isFetchingNextPage, lastIndex, rows.length, pages.fetchNextPage]);

  const total = count.data;
  const summary =
    total !== undefined
      ? fr.queues.count(total)
      : more
        ? fr.queues.countAtLeast(rows.length)
        : fr.queues.count(rows.length);

  if (pages.isError)
    return (
      <p className="error" role="alert">
        {fr.queues.loadError(String(pages.error))}
      </p>
    );
  if (pages.isFetched && rows.length === 0) return <p data-testid="queue-empty">{fr.queues.empty}</p>;
  return (
    <>
      <p className="count" data-testid="queue-count">
        {pages.isFetched ? summary : fr.app.loading}
      </p>
      {selection && <PageSelection rows={rows} selection={selection} />}
      <div
        role="table"
        aria-label={label}
        aria-rowcount={total !== undefined ? total + 1 : -1}
        className="request-table"
      >
        <RequestRowHeader selectable={!!selection} />
        {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard */}
        <div ref={scroller} className="request-scroll" tabIndex={0} role="rowgroup" aria-label={label}>
          <div style={{ height: virtual.getTotalSize(), position: "relative" }}>
            {items.map((item) => {
              const r = rows[item.index];
              return (
                <div
                  key={r?.id ?? "more"}
                  className="vrow"
                  style={{
                    position: "absolute",
                    top: 0,
                    left: 0,
                    right: 0,
                    height: item.size,
                    transform: `translateY(${item.start}px)`,
                  }}
                >
                  {r ? (
                    <RequestRow
                      request={r}
                      rowIndex={item.index + 2}
                      check={
                        selection && {
                          checked: selection.selected.has(r.id),
                          onChange: (on) => selection.set([r.id], on),
                        }
                      }
                    />
                  ) : (
                    <div role="row" aria-rowindex={item.index + 2}>
                      <span role="cell">{fr.queues.loadingMore}</span>
                    </div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </>
  );
}
