import { useState } from "react";
import { NetworkError } from "../../sync/http";
import { ApiError } from "../../sync/server-api";
import { downloadBlob } from "../queues/download";

/** What an agent reads when a file from the server cannot be had (French, for the screen). */
export type DownloadMessages = { offline: string; notYet: string; failed: (reason: string) => string };

/**
 * A file fetched (from the workstation or the server) and handed to the browser as a download,
 * with the busy flag and the French reason it failed: offline, not on the server yet, refused.
 */
export function useServerDownload(messages: DownloadMessages) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function download(fileName: string, fetchBlob: () => Promise<Blob>): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      downloadBlob(fileName, await fetchBlob());
    } catch (e) {
      if (e instanceof NetworkError) setError(messages.offline);
      else if (e instanceof ApiError && e.status === 404) setError(messages.notYet);
      else setError(messages.failed(e instanceof ApiError ? e.reason : (e as Error).message));
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, download };
}
