import { useCallback, useEffect, useRef, useState } from "react";
import type { RxCollection } from "rxdb";
import type { GuichetDatabase } from "../../db/database";
import { startContactLogReplication } from "../../sync/contact-log-replication";
import {
  type RequestReplication,
  type SyncStatus,
  startRequestReplication,
} from "../../sync/request-replication";
import type { QuickAnswer } from "../data/local-collections";
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
  serverUrl: string,
  /** The immediate answers, synced with the commune's -log database. */
  contactLog?: RxCollection<QuickAnswer>,
): { status: SyncView; reSync(): void } {
  const [status, setStatus] = useState<SyncView>(IDLE);
  const [browserOnline, setBrowserOnline] = useState(() => navigator.onLine);
  const replication = useRef<RequestReplication | null>(null);
  // What the replication depends on, as a value: a config refreshed with the same content keeps it running.
  const planKey = config
    ? JSON.stringify({
        couchUrl: config.couchUrl,
        databases: config.databases,
        sensitiveServices: config.catalogue.services.filter((s) => s.sensitive).map((s) => s.id),
        serverUrl: serverUrl.replace(/\/+$/, ""),
      })
    : "";

  useEffect(() => {
    if (!planKey) return;
    const plan = JSON.parse(planKey) as {
      couchUrl: string;
      databases: WorkstationConfig["databases"];
      sensitiveServices: string[];
      serverUrl: string;
    };
    const dbUrl = (name: string) => `${plan.couchUrl}/${encodeURIComponent(name)}`;
    const held = plan.databases.sensitive ?? {};
    const rep = startRequestReplication({
      db,
      dbUrl: dbUrl(plan.databases.main),
      auth: { username: auth.username, password: auth.password },
      // Sensitive services: their databases when this account holds them, the server's hand-over otherwise.
      sensitiveDbUrls: Object.fromEntries(
        Object.entries(held).map(([service, name]) => [service, dbUrl(name)]),
      ),
      handover: {
        url: `${plan.serverUrl}/api/v1/handovers`,
        services: plan.sensitiveServices.filter((s) => !held[s]),
      },
    });
    const log =
      contactLog && plan.databases.log
        ? startContactLogReplication({
            collection: contactLog,
            dbUrl: dbUrl(plan.databases.log),
            auth: { username: auth.username, password: auth.password },
          })
        : null;
    replication.current = rep;
    // The bench stops sync before seeding 100,000 local requests (bench builds only).
    if (import.meta.env.MODE === "bench")
      (window as unknown as { __guichetReplication: unknown }).__guichetReplication = rep;
    const sub = rep.status$.subscribe((s) => setStatus({ ...s, started: true }));
    return () => {
      sub.unsubscribe();
      replication.current = null;
      void rep.stop();
      void log?.stop();
    };
  }, [db, planKey, auth.username, auth.password, contactLog]);

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
