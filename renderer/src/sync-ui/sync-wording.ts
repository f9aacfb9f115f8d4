import type { SyncView } from "../../sync/workstation-sync";
import { fr } from "../i18n/fr";

export type SyncState = "connecting" | "online" | "offline";

export const syncState = (s: SyncView): SyncState =>
  !s.started ? "connecting" : s.online ? "online" : "offline";

/**
 * The sync bar's phrases, consistent with each other: "Tout est synchronisé" only once the server
 * has been reached, nothing said about the last sync while the first one is under way.
 */
export function syncBarText(s: SyncView, time: (iso: string) => string) {
  const state = syncState(s);
  const label = { connecting: fr.sync.connecting, online: fr.sync.online, offline: fr.sync.offline }[state];
  let pending: string | null = fr.sync.pending(s.pending);
  if (s.pending === 0 && !s.lastSyncAt) pending = state === "offline" ? fr.sync.nothingWaiting : null;
  let last: string | null = s.lastSyncAt ? fr.sync.lastSync(time(s.lastSyncAt)) : null;
  if (!last && state === "offline") last = fr.sync.never;
  return { state, label, pending, last };
}
