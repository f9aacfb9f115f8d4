import { useCallback, useRef, useState } from "react";
import { type SyncCounts, syncNowMessage } from "../../sync/sync-messages";
import type { SyncView } from "../../sync/workstation-sync";

const counts = (s: SyncView): SyncCounts => ({
  online: s.online,
  pending: s.pending,
  attachmentsWaiting: s.attachmentsWaiting,
  rejected: s.rejected,
  lastError: s.lastError,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * "Synchroniser maintenant": retries everything, then says what happened, once everything waiting
 * has left, the line proved down, or `maxWaitMs` passed (the sync goes on after that).
 */
export function useSyncNow(status: SyncView, reSync: () => void, maxWaitMs = 15_000) {
  const latest = useRef(status);
  latest.current = status;
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async () => {
    setBusy(true);
    setMessage(null);
    const before = counts(latest.current);
    if (navigator.onLine) {
      reSync();
      await sleep(800);
      const deadline = Date.now() + maxWaitMs;
      while (Date.now() < deadline) {
        const s = latest.current;
        if (s.started && !s.online) break;
        if (s.online && s.pending === 0 && s.attachmentsWaiting === 0) break;
        await sleep(250);
      }
    }
    const after = counts(latest.current);
    setMessage(syncNowMessage(before, navigator.onLine ? after : { ...after, online: false }));
    setBusy(false);
  }, [reSync, maxWaitMs]);
  return { run, busy, message };
}
