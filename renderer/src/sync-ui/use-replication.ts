import { useCallback, useEffect, useRef, useState } from "react";
import type { RxCollection } from "rxdb";
import type { GuichetDatabase } from "../../db/database";
import type { AttachmentFile, QuickAnswer } from "../../db/local-collections";
import type { WorkstationConfig } from "../../db/settings-store";
import { type AttachmentUpload, startAttachmentUpload } from "../../sync/attachment-upload";
import { startContactLogReplication } from "../../sync/contact-log-replication";
import {
  type RequestReplication,
  type SyncStatus,
  startRequestReplication,
} from "../../sync/request-replication";

export type SyncView = SyncStatus & {
  started: boolean;
  /** Attachments recorded here that the server does not hold yet. */
  attachmentsWaiting: number;
};

const IDLE: SyncView = {
  started: false,
  attachmentsWaiting: 0,
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
  /** Attachment bytes waiting to be sent to the sync-server. */
  attachmentFiles?: RxCollection<AttachmentFile>,
): { status: SyncView; reSync(): void } {
  const [status, setStatus] = useState<SyncView>(IDLE);
  const [uploads, setUploads] = useState<{ waiting: number; lastError: string | null }>({
    waiting: 0,
    lastError: null,
  });
  const upload = useRef<AttachmentUpload | null>(null);
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
    const files = attachmentFiles
      ? startAttachmentUpload({
          files: attachmentFiles,
          serverUrl: plan.serverUrl,
          auth: { username: auth.username, password: auth.password },
        })
      : null;
    upload.current = files;
    const uploadSub = files?.status$.subscribe(setUploads);
    replication.current = rep;
    // The bench stops sync before seeding 100,000 local requests (bench builds only).
    if (import.meta.env.MODE === "bench")
      (window as unknown as { __guichetReplication: unknown }).__guichetReplication = rep;
    let wasPending = true;
    const sub = rep.status$.subscribe((s) => {
      setStatus({ ...s, started: true, attachmentsWaiting: 0 });
      // The requests just reached the server: their files can follow.
      if (s.online && s.pending === 0 && wasPending) files?.kick();
      wasPending = s.pending > 0 || !s.online;
    });
    return () => {
      sub.unsubscribe();
      uploadSub?.unsubscribe();
      void files?.stop();
      upload.current = null;
      replication.current = null;
      void rep.stop();
      void log?.stop();
    };
  }, [db, planKey, auth.username, auth.password, contactLog, attachmentFiles]);

  useEffect(() => {
    const up = () => {
      setBrowserOnline(true);
      replication.current?.reSync();
      upload.current?.kick();
    };
    const down = () => setBrowserOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);

  const reSync = useCallback(() => {
    replication.current?.reSync();
    upload.current?.kick();
  }, []);
  return {
    status: {
      ...status,
      online: status.online && browserOnline,
      attachmentsWaiting: uploads.waiting,
      lastError: status.lastError ?? uploads.lastError,
    },
    reSync,
  };
}
