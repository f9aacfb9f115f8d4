import { BehaviorSubject, combineLatest, map, type Observable } from "rxjs";
import type { LocalData } from "../db/local-database";
import type { WorkstationConfig } from "../db/settings-store";
import { syncLedger } from "../db/sync-ledger";
import { saveStatusRows, statusRow, type WorkstationStatusRow } from "../db/workstation-statuses";
import { type AttachmentUpload, startAttachmentUpload, type UploadStatus } from "./attachment-upload";
import { type ContactLogReplication, startContactLogReplication } from "./contact-log-replication";
import { type RequestReplication, type SyncStatus, startRequestReplication } from "./request-replication";
import { startWorkstationReport, type WorkstationReport } from "./workstation-report";

/** What a workstation's sync shows: the requests' replication, the uploads, the network. */
export type SyncView = SyncStatus & {
  started: boolean;
  /** Attachments recorded here that the server does not hold yet. */
  attachmentsWaiting: number;
};

export const IDLE_SYNC: SyncView = {
  started: false,
  attachmentsWaiting: 0,
  online: false,
  pending: 0,
  rejected: 0,
  lastSyncAt: null,
  lastError: null,
};

/** Everything the replications depend on, as plain data: equal plans mean nothing to restart. */
export type SyncPlan = {
  couchUrl: string;
  databases: WorkstationConfig["databases"];
  sensitiveServices: string[];
  serverUrl: string;
};

export function syncPlan(config: WorkstationConfig, serverUrl: string): SyncPlan {
  return {
    couchUrl: config.couchUrl,
    databases: config.databases,
    sensitiveServices: config.catalogue.services.filter((s) => s.sensitive).map((s) => s.id),
    serverUrl: serverUrl.replace(/\/+$/, ""),
  };
}

/** The requests' replication options: held sensitive services replicate, the others go through the hand-over. */
export function requestReplicationTargets(plan: SyncPlan) {
  const dbUrl = (name: string) => `${plan.couchUrl}/${encodeURIComponent(name)}`;
  const held = plan.databases.sensitive ?? {};
  return {
    dbUrl: dbUrl(plan.databases.main),
    sensitiveDbUrls: Object.fromEntries(
      Object.entries(held).map(([service, name]) => [service, dbUrl(name)]),
    ),
    handover: {
      url: `${plan.serverUrl}/api/v1/handovers`,
      services: plan.sensitiveServices.filter((s) => !held[s]),
    },
    logDbUrl: plan.databases.log ? dbUrl(plan.databases.log) : null,
  };
}

/**
 * One view of the three sources. The browser's own online flag counts too: it flips at once,
 * where a failing request can take a while. Until the server has answered or failed once, the
 * view is not started ("connexion au serveur…"): a fresh workstation is not "hors ligne".
 */
export function syncView(status: SyncStatus, uploads: UploadStatus, networkUp: boolean): SyncView {
  return {
    ...status,
    started: !networkUp || status.online || status.lastSyncAt !== null || status.lastError !== null,
    online: status.online && networkUp,
    attachmentsWaiting: uploads.waiting,
    lastError: status.lastError ?? uploads.lastError,
  };
}

/** Whether the requests have just all reached the server (their files can follow). */
export function requestsJustArrived(before: SyncStatus | null, now: SyncStatus): boolean {
  const wasPending = before === null || before.pending > 0 || !before.online;
  return now.online && now.pending === 0 && wasPending;
}

/** The network as the workstation sees it; in a browser, `navigator.onLine` and its events. */
export type Network = { isUp(): boolean; watch(onChange: (up: boolean) => void): () => void };

export const browserNetwork: Network = {
  isUp: () => navigator.onLine,
  watch(onChange) {
    const up = () => onChange(true);
    const down = () => onChange(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  },
};

export type WorkstationSync = {
  status$: Observable<SyncView>;
  /** Try everything again now (the agent's button, the network coming back). */
  reSync(): void;
  /** The requests' replication, for the bench that stops it before seeding. */
  requests: RequestReplication;
  stop(): Promise<void>;
};

/**
 * Starts every replication of a logged-in workstation: requests (with sensitive services and the
 * hand-over), the immediate answers' log, and the attachment uploader; stops them together.
 */
export function startWorkstationSync(opts: {
  data: LocalData;
  plan: SyncPlan;
  auth: { username: string; password: string };
  network?: Network;
  /** This workstation's status document (the fleet view): written once it has a code. */
  report?: { code: string; name: string; appVersion: string; heartbeatMs?: number };
}): WorkstationSync {
  const { data, plan } = opts;
  const auth = { username: opts.auth.username, password: opts.auth.password };
  const network = opts.network ?? browserNetwork;
  const targets = requestReplicationTargets(plan);
  const requests = startRequestReplication({
    db: data.db,
    dbUrl: targets.dbUrl,
    auth,
    sensitiveDbUrls: targets.sensitiveDbUrls,
    handover: targets.handover,
  });
  const log: ContactLogReplication | null = targets.logDbUrl
    ? startContactLogReplication({
        collection: data.local.quick_answers,
        dbUrl: targets.logDbUrl,
        auth,
        onStatuses: (docs) =>
          saveStatusRows(
            data.local.workstation_statuses,
            docs.map(statusRow).filter((r): r is WorkstationStatusRow => r !== null),
          ),
      })
    : null;
  const uploads: AttachmentUpload = startAttachmentUpload({
    files: data.local.attachment_files,
    serverUrl: plan.serverUrl,
    auth,
  });
  const networkUp = new BehaviorSubject(network.isUp());
  const reSync = () => {
    requests.reSync();
    uploads.kick();
    log?.reSync();
  };
  const unwatch = network.watch((up) => {
    networkUp.next(up);
    if (up) reSync();
  });
  let last: SyncStatus | null = null;
  const kickUploads = requests.status$.subscribe((s) => {
    if (requestsJustArrived(last, s)) uploads.kick();
    last = s;
  });
  const status$ = combineLatest([requests.status$, uploads.status$, networkUp]).pipe(
    map(([s, u, up]) => syncView(s, u, up)),
  );
  const report: WorkstationReport | null =
    opts.report && targets.logDbUrl
      ? startWorkstationReport({
          logDbUrl: targets.logDbUrl,
          auth,
          ...opts.report,
          state$: status$.pipe(
            map((v) => ({
              online: v.online,
              pendingRequests: v.pending,
              pendingFiles: v.attachmentsWaiting,
              rejected: v.rejected,
              lastError: v.lastError,
            })),
          ),
          oldestPendingAt: async () => (await syncLedger(data.db)).oldestPendingAt(),
        })
      : null;
  return {
    status$,
    reSync,
    requests,
    async stop() {
      unwatch();
      report?.stop();
      kickUploads.unsubscribe();
      await Promise.all([uploads.stop(), requests.stop(), log?.stop()]);
    },
  };
}
