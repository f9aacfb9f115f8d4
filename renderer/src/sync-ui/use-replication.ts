import { useCallback, useEffect, useRef, useState } from "react";
import type { GuichetDatabase } from "../../db/database";
import {
  type RequestReplication,
  type SyncStatus,
  startRequestReplication,
} from "../../sync/request-replication";
import type { WorkstationConfig } from "../settings/settings-store";

export type SyncView = SyncStatus & { started: boolean };

const IDLE: SyncView = {
  started: false,
  online: false,
  pending: 0,
  rejected: 0,
  lastSyncAt: null,
  lastError: null,
};

/**
 * Runs the lead's replication for the logged-in agent and exposes its status. The browser's own
 * online/offline events are used too: they are immediate, where a failing request can take a while.
 */
export function useReplication(
  db: GuichetDatabase,
  config: WorkstationConfig | undefined,
  auth: { username: string; password: string },
): { status: SyncView; reSync(): void } {
  const [status, setStatus] = useState<SyncView>(IDLE);
  const [browserOnline, setBrowserOnline] = useState(() => navigator.onLine);
  const replication = useRef<RequestReplication | null>(null);
  const dbUrl = config ? `${config.couchUrl}/${encodeURIComponent(config.databases.main)}` : "";

  useEffect(() => {
    if (!dbUrl) return;
    const rep = startRequestReplication({
      db,
      dbUrl,
      auth: { username: auth.username, password: auth.password },
    });
    replication.current = rep;
    // The bench stops sync before seeding 100,000 local requests (bench builds only).
    if (import.meta.env.MODE === "bench")
      (window as unknown as { __guichetReplication: unknown }).__guichetReplication = rep;
    const sub = rep.status$.subscribe((s) => setStatus({ ...s, started: true }));
    return () => {
      sub.unsubscribe();
      replication.current = null;
      void rep.stop();
    };
  }, [db, dbUrl, auth.username, auth.password]);

  useEffect(() => {
    const up = () => {
      setBrowserOnline(true);
      replication.current?.reSync();
    };
    const down = () => setBrowserOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);

  const reSync = useCallback(() => replication.current?.reSync(), []);
  return { status: { ...status, online: status.online && browserOnline }, reSync };
}
