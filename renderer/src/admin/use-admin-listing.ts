import { useCallback, useEffect, useState } from "react";
import type { Credentials } from "../../sync/http";
import { NetworkError } from "../../sync/http";
import { ApiError } from "../../sync/server-api";
import { useWorkstation } from "../shared/app-context";

/** Where an admin screen's listing stands: read from the sync-server, never from CouchDB directly. */
export type AdminLoad<T> =
  | { kind: "loading" }
  | { kind: "offline" }
  | { kind: "forbidden" }
  | { kind: "error"; message: string }
  | { kind: "ready"; listing: T };

/**
 * Reads an admin screen's listing from the server on mount and on `reload()`: offline, refused
 * (the server checks the role for real) and other errors each get their own state.
 * `keepShown`: a reload leaves the listing on screen until the new one arrives.
 */
export function useAdminListing<T>(
  fetchListing: (serverUrl: string, creds: Credentials) => Promise<T>,
  opts: { keepShown?: boolean } = {},
) {
  const { settings, session } = useWorkstation();
  const [load, setLoad] = useState<AdminLoad<T>>({ kind: "loading" });
  const keepShown = opts.keepShown ?? false;

  const reload = useCallback(async () => {
    if (!navigator.onLine) return setLoad({ kind: "offline" });
    if (keepShown) setLoad((l) => (l.kind === "ready" ? l : { kind: "loading" }));
    try {
      setLoad({ kind: "ready", listing: await fetchListing(settings.serverUrl, session) });
    } catch (err) {
      if (err instanceof NetworkError || err instanceof TypeError) setLoad({ kind: "offline" });
      else if (err instanceof ApiError && err.status === 403) setLoad({ kind: "forbidden" });
      else setLoad({ kind: "error", message: err instanceof ApiError ? err.reason : String(err) });
    }
  }, [fetchListing, keepShown, settings.serverUrl, session]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { load, setLoad, reload };
}
