import { useCallback, useEffect, useRef, useState } from "react";
import type { LocalData } from "../../db/local-database";
import type { WorkstationConfig } from "../../db/settings-store";
import {
  IDLE_SYNC,
  type SyncPlan,
  type SyncView,
  startWorkstationSync,
  syncPlan,
  type WorkstationSync,
} from "../../sync/workstation-sync";

/**
 * Subscribes the screens to the workstation's sync (renderer/sync/workstation-sync.ts), started
 * for the logged-in agent and restarted only when what it depends on changes.
 */
export function useWorkstationSync(
  data: LocalData,
  config: WorkstationConfig | undefined,
  auth: { username: string; password: string },
  serverUrl: string,
  /** This workstation's status document for the fleet view (once it has a code). */
  report?: { code: string; name: string; appVersion: string },
): { status: SyncView; reSync(): void } {
  const [status, setStatus] = useState<SyncView>(IDLE_SYNC);
  const running = useRef<WorkstationSync | null>(null);
  // A config refreshed with the same content keeps the replications running.
  const planKey = config ? JSON.stringify(syncPlan(config, serverUrl)) : "";
  const reportKey = report ? JSON.stringify(report) : "";

  useEffect(() => {
    if (!planKey) return;
    const sync = startWorkstationSync({
      data,
      plan: JSON.parse(planKey) as SyncPlan,
      auth: { username: auth.username, password: auth.password },
      ...(reportKey ? { report: JSON.parse(reportKey) as NonNullable<typeof report> } : {}),
    });
    running.current = sync;
    // The bench stops sync before seeding 100,000 local requests (bench builds only).
    if (import.meta.env.MODE === "bench")
      (window as unknown as { __guichetReplication: unknown }).__guichetReplication = sync.requests;
    const sub = sync.status$.subscribe(setStatus);
    return () => {
      sub.unsubscribe();
      running.current = null;
      void sync.stop();
    };
  }, [data, planKey, reportKey, auth.username, auth.password]);

  const reSync = useCallback(() => running.current?.reSync(), []);
  return { status, reSync };
}
