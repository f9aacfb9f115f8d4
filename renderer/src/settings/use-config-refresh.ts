import { useCallback, useEffect, useRef } from "react";
import { configRefreshMs, type Settings } from "../../db/settings-store";
import { ApiError, fetchWorkstationConfig } from "../../sync/server-api";
import { forgetAccount, serverContacted } from "../session/offline-accounts";
import type { Session } from "../shared/session";

/** Dispatched on `window` when this workstation knows its configuration changed (an admin just saved). */
export const CONFIG_STALE_EVENT = "guichet:config-stale";

/**
 * Keeps a logged-in workstation's configuration (commune, catalogue, past versions) current without
 * a new login: read again every `configRefreshMs()`, when the line comes back, and on
 * CONFIG_STALE_EVENT. Stored only when it changed, so screens re-render only then. Failures keep
 * the cached configuration: the workstation works offline with what it last knew.
 */
export function useConfigRefresh(
  settings: Settings,
  updateSettings: (s: Settings) => void,
  session: Session,
  online: boolean,
  /** The server no longer takes this session's password (changed) or account (disabled). */
  onRefused: () => void = () => undefined,
): void {
  const latest = useRef({ settings, updateSettings, session, onRefused });
  latest.current = { settings, updateSettings, session, onRefused };
  const running = useRef(false);

  const refresh = useCallback(async () => {
    const { settings: before, session: who } = latest.current;
    if (running.current || !before.serverUrl || !navigator.onLine) return;
    running.current = true;
    try {
      const next = await fetchWorkstationConfig(before.serverUrl, who, before.config);
      serverContacted(next.commune.agents);
      const now = latest.current.settings;
      if (now.serverUrl !== before.serverUrl || JSON.stringify(now.config) === JSON.stringify(next)) return;
      latest.current.updateSettings({ ...now, config: next });
    } catch (err) {
      // The server no longer takes this password or account: its offline hash goes too.
      if (err instanceof ApiError && err.status === 401) forgetAccount(who.username);
      if (err instanceof ApiError && (err.status === 401 || err.status === 403)) latest.current.onRefused();
      // Unreachable or refused: the cached configuration stays in use.
    } finally {
      running.current = false;
    }
  }, []);

  useEffect(() => {
    const timer = setInterval(() => void refresh(), configRefreshMs());
    const onStale = () => void refresh();
    window.addEventListener(CONFIG_STALE_EVENT, onStale);
    return () => {
      clearInterval(timer);
      window.removeEventListener(CONFIG_STALE_EVENT, onStale);
    };
  }, [refresh]);

  // Back online after a cut (or after an offline login): the catalogue may have changed meanwhile.
  const previous = useRef<boolean | undefined>(undefined);
  const missed = useRef(session.offline);
  useEffect(() => {
    if (previous.current === true && !online) missed.current = true;
    if (online && missed.current) {
      missed.current = false;
      void refresh();
    }
    previous.current = online;
  }, [online, refresh]);
}
