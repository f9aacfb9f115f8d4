import type { QueryClient } from "@tanstack/react-query";
import { rememberedFilters } from "../queues/queue-filters-store";
import type { Workstation } from "../shared/app-context";
import { queueContext, queueListOptions, requestOptions } from "../shared/queue-queries";
import { parseRoute } from "../shared/routes";

/**
 * On navigation, start reading what the next screen shows before React renders it: the local
 * read and the render overlap instead of following each other.
 */
export function prefetchRoute(hash: string, ws: Workstation, client: QueryClient): void {
  const route = parseRoute(hash);
  if (route.name === "queue") {
    const ctx = queueContext(ws.prefs.myService, ws.commune);
    void client.prefetchInfiniteQuery(
      queueListOptions(ws.data, route.queue, rememberedFilters(route.queue), ctx),
    );
  } else if (route.name === "request" || route.name === "saved") {
    void client.prefetchQuery(requestOptions(ws.data, route.id));
  }
}
