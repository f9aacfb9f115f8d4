import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import type { LocalData } from "../../db/local-database";

/**
 * Local writes and replicated changes both land in the requests collection: lists re-read their
 * pages after a short pause (one re-read for a burst of replicated documents, not one each).
 */
export function useLiveInvalidation(data: LocalData, delayMs = 150): void {
  const client = useQueryClient();
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sub = data.repo.changes$.subscribe(() => {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void client.invalidateQueries({ queryKey: ["requests"] });
      }, delayMs);
    });
    return () => {
      sub.unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [data, client, delayMs]);
}
