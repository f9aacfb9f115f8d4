import { BehaviorSubject, combineLatest, from, map, type Observable, switchMap } from "rxjs";
import type { GuichetDatabase } from "../../db/database";
import { syncLedger } from "../../db/sync-ledger";
import { isNetworkFailure, syncErrorMessage } from "../sync-messages";

export type SyncStatus = {
  online: boolean;
  /** Requests changed on this workstation that the server does not hold yet (rejected ones included). */
  pending: number;
  rejected: number;
  lastSyncAt: string | null;
  lastError: string | null;
};

/** What every call tells about the line and the last error; with the local counts, the status. */
export function syncStatusTracker(db: GuichetDatabase) {
  const online$ = new BehaviorSubject<boolean>(false);
  const lastSyncAt$ = new BehaviorSubject<string | null>(null);
  const lastError$ = new BehaviorSubject<string | null>(null);
  const status$: Observable<SyncStatus> = combineLatest([
    online$,
    from(syncLedger(db)).pipe(switchMap((ledger) => ledger.pendingCount$())),
    db.rejections.find().$.pipe(map((d) => d.length)),
    lastSyncAt$,
    lastError$,
  ]).pipe(
    map(([online, pending, rejected, lastSyncAt, lastError]) => ({
      online,
      pending,
      rejected,
      lastSyncAt,
      lastError,
    })),
  );
  return {
    status$,
    reachable(): void {
      online$.next(true);
    },
    succeeded(): void {
      online$.next(true);
      lastError$.next(null);
      lastSyncAt$.next(new Date().toISOString());
    },
    /** A network failure means offline; any other answer means the server was reached. */
    failed(err: unknown): void {
      online$.next(!isNetworkFailure(err));
      lastError$.next(syncErrorMessage(err));
    },
  };
}
export type SyncStatusTracker = ReturnType<typeof syncStatusTracker>;
