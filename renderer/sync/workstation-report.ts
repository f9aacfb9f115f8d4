import { debounceTime, type Observable, type Subscription } from "rxjs";
import { type WorkstationStatus, workstationStatusId } from "../../domain/workstation-status";
import {
  basicAuthorization,
  type Credentials,
  type FetchLike,
  HttpError,
  identityHeaders,
  NetworkError,
  noteRefusal,
} from "./http";

/** What the workstation knows of its own state, as the sync sees it. */
export type ReportState = {
  online: boolean;
  pendingRequests: number;
  pendingFiles: number;
  rejected: number;
  lastError: string | null;
};

export type WorkstationReport = { stop(): void };

/**
 * Keeps this workstation's status document in the -log database current: on each change of its
 * sync state (once the line is up) and every few minutes, so the fleet view sees the last contact
 * even when nothing changes. Through the same server and credentials as the replication: no
 * other connection. The gateway stamps the server's time and lets it write only its own document.
 */
export function startWorkstationReport(opts: {
  logDbUrl: string;
  auth: Credentials;
  code: string;
  name: string;
  appVersion: string;
  state$: Observable<ReportState>;
  /** When the oldest work still waiting here was done. */
  oldestPendingAt: () => Promise<string | undefined>;
  heartbeatMs?: number;
  fetch?: FetchLike;
}): WorkstationReport {
  const fetchImpl = opts.fetch ?? ((u, i) => fetch(u, i));
  const url = `${opts.logDbUrl.replace(/\/+$/, "")}/${encodeURIComponent(workstationStatusId(opts.code))}`;
  const authorization = basicAuthorization(opts.auth);
  let rev: string | null | undefined;
  let latest: ReportState | null = null;
  let written = "";
  let writing: Promise<void> | null = null;
  let again = false;
  let stopped = false;

  async function call(
    method: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    let res: Response;
    try {
      res = await fetchImpl(url, {
        method,
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          Authorization: authorization,
          ...identityHeaders(),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new NetworkError((err as Error).message);
    }
    const parsed = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (!res.ok) noteRefusal(res.status, parsed);
    return { status: res.status, body: parsed };
  }

  async function write(state: ReportState): Promise<void> {
    const oldest = state.pendingRequests + state.pendingFiles > 0 ? await opts.oldestPendingAt() : undefined;
    const content: Omit<WorkstationStatus, "reportedAt"> = {
      type: "workstation_status",
      code: opts.code,
      name: opts.name.slice(0, 80) || opts.code,
      agent: opts.auth.username,
      appVersion: opts.appVersion,
      pendingRequests: state.pendingRequests,
      pendingFiles: state.pendingFiles,
      rejected: state.rejected,
      ...(oldest ? { oldestPendingAt: oldest } : {}),
      ...(state.lastError ? { lastError: state.lastError.slice(0, 300) } : {}),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (rev === undefined) {
        const current = await call("GET");
        rev = current.status === 200 ? String(current.body._rev) : null;
      }
      const doc = {
        _id: workstationStatusId(opts.code),
        ...(rev ? { _rev: rev } : {}),
        ...content,
        reportedAt: new Date().toISOString(),
      };
      const res = await call("PUT", doc);
      if (res.status === 201 || res.status === 202) {
        rev = String(res.body.rev);
        return;
      }
      if (res.status !== 409)
        throw new HttpError(res.status, String(res.body.reason ?? res.body.error ?? ""));
      rev = undefined; // someone else wrote it (the server at registration or revocation): read again
    }
  }

  function report(force: boolean): void {
    const state = latest;
    if (stopped || !state?.online) return;
    if (writing) {
      again = true;
      return;
    }
    const key = JSON.stringify(state);
    if (!force && key === written) return;
    writing = write(state)
      .then(() => {
        written = key;
      })
      .catch(() => undefined) // the next change or heartbeat tries again
      .finally(() => {
        writing = null;
        if (again) {
          again = false;
          report(false);
        }
      });
  }

  const sub: Subscription = opts.state$.pipe(debounceTime(1_000)).subscribe((s) => {
    latest = s;
    report(false);
  });
  const heartbeat = setInterval(() => report(true), opts.heartbeatMs ?? 5 * 60_000);
  return {
    stop() {
      stopped = true;
      clearInterval(heartbeat);
      sub.unsubscribe();
    },
  };
}
