import type { RxCollection } from "rxdb";
import { BehaviorSubject, type Subscription } from "rxjs";
import { fromBase64, sha256Hex } from "../db/attachments";
import type { AttachmentFile } from "../db/local-collections";
import { basicAuthorization, type Credentials, type FetchLike, identityHeaders, noteRefusal } from "./http";
import { syncErrorMessage } from "./sync-messages";

export type UploadStatus = {
  /** Files recorded on this workstation that the server does not hold yet. */
  waiting: number;
  /** Why the last attempt at one of them was refused (French), null when nothing is wrong. */
  lastError: string | null;
};

export type AttachmentUpload = {
  status$: BehaviorSubject<UploadStatus>;
  /** Try now (the request replication just pushed, the network came back). */
  kick(): void;
  stop(): Promise<void>;
};

/**
 * Attachments are recorded with the request, offline if need be: the request carries their
 * metadata and SHA-256, the bytes wait in `attachment_files`. Once the request has reached the
 * server, each file is sent to the sync-server (sync-server/api/agent-api.ts), which keeps only
 * bytes matching what the request declares. The local copy is then erased: the server is the
 * archive, and retention there must not leave scans behind on counters.
 */
export function startAttachmentUpload(opts: {
  files: RxCollection<AttachmentFile>;
  serverUrl: string;
  auth: Credentials;
  fetch?: FetchLike;
  /** A request not on the server yet is tried again after this long (and on every kick). */
  retryMs?: number;
}): AttachmentUpload {
  const fetchImpl = opts.fetch ?? ((u, i) => fetch(u, i));
  const base = opts.serverUrl.replace(/\/+$/, "");
  const authorization = basicAuthorization(opts.auth);
  const status$ = new BehaviorSubject<UploadStatus>({ waiting: 0, lastError: null });
  let stopped = false;
  let running: Promise<void> | null = null;
  let again = false;

  const counter: Subscription = opts.files
    .count()
    .$.subscribe((waiting) => status$.next({ ...status$.value, waiting }));

  async function sendOne(file: AttachmentFile): Promise<"done" | "later" | "offline" | string> {
    const bytes = fromBase64(file.data);
    const sha256 = await sha256Hex(bytes);
    let res: Response;
    try {
      res = await fetchImpl(
        `${base}/api/v1/requests/${encodeURIComponent(file.requestId)}/attachments/${sha256}`,
        {
          method: "PUT",
          headers: {
            Authorization: authorization,
            "Content-Type": file.mime,
            Accept: "application/json",
            ...identityHeaders(),
          },
          body: bytes as unknown as BodyInit,
        },
      );
    } catch {
      return "offline";
    }
    // 410: the request no longer declares the file (anonymised, corrected): nothing to keep.
    if (res.ok || res.status === 410) return "done";
    if (res.status === 404) return "later";
    if (res.status >= 502) return "offline";
    const body = (await res.json().catch(() => ({}))) as { errors?: { message?: string }[] };
    noteRefusal(res.status, body);
    return body.errors?.[0]?.message ?? `HTTP ${res.status}`;
  }

  async function round(): Promise<void> {
    let error: string | null = null;
    const files = await opts.files.find({ sort: [{ id: "asc" }] }).exec();
    for (const doc of files) {
      if (stopped) return;
      const file = doc.toJSON() as AttachmentFile;
      const outcome = await sendOne(file);
      if (outcome === "offline") break;
      if (outcome === "later") continue;
      if (outcome === "done") {
        // Emptied before removal: RxDB keeps deleted documents until cleanup.
        const emptied = await doc.incrementalPatch({ data: "" });
        await emptied.incrementalRemove();
        continue;
      }
      error = `Pièce jointe de la demande ${file.requestId} non envoyée : ${outcome}`;
    }
    if (!stopped) status$.next({ ...status$.value, lastError: error });
  }

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = round()
      .catch((e: unknown) => status$.next({ ...status$.value, lastError: syncErrorMessage(e) }))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  const timer = setInterval(kick, opts.retryMs ?? 15_000);
  kick();

  return {
    status$,
    kick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      counter.unsubscribe();
      await running;
    },
  };
}
