import { useEffect, useRef, useState } from "react";
import { DEFAULT_STALE_HOURS, pendingTooOld } from "../../../domain/workstation-status";
import type { WorkstationStatusRow } from "../../db/workstation-statuses";
import { fetchWorkstationInfo, revokeWorkstation, type WorkstationInfo } from "../../sync/fleet-client";
import { NetworkError } from "../../sync/http";
import { ApiError } from "../../sync/server-api";
import { canSeeDashboard } from "../dashboard/access";
import { useWorkstation } from "../shared/app-context";
import { formatDateTime } from "../shared/format";
import { ScreenTitle } from "../shared/ScreenTitle";
import { useObservable } from "../shared/use-observable";
import { frFleet as t } from "./fr-fleet";

/**
 * #/postes: the commune's workstations as they last reported, read from this workstation's
 * replica (works offline like the dashboard); supervisors and admins revoke one from here.
 */
export function FleetScreen() {
  const { session } = useWorkstation();
  if (!canSeeDashboard(session.roles)) {
    return (
      <>
        <ScreenTitle>{t.title}</ScreenTitle>
        <p className="error" role="alert">
          {t.staffOnly}
        </p>
      </>
    );
  }
  return <Fleet />;
}

function Fleet() {
  const ws = useWorkstation();
  const hours = ws.commune.fleetStaleHours ?? DEFAULT_STALE_HOURS;
  const rows = useObservable(
    () => ws.data.local.workstation_statuses.find({ sort: [{ code: "asc" }] }).$,
    [ws.data],
    [],
  ).map((d) => d.toJSON() as WorkstationStatusRow);
  const [confirming, setConfirming] = useState<WorkstationStatusRow | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const now = new Date();
  // Opening the screen reads the latest reports rather than waiting for the minute's pull.
  const { reSync } = ws;
  useEffect(() => reSync(), [reSync]);

  return (
    <>
      <ScreenTitle>{t.title}</ScreenTitle>
      <p className="help">{t.intro(hours)}</p>
      <p className="buttons">
        <button type="button" onClick={() => ws.reSync()}>
          {t.refresh}
        </button>
      </p>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {confirming && (
        <RevokeConfirmation
          row={confirming}
          onDone={(message) => {
            const code = confirming.code;
            setConfirming(null);
            // Cancelled: the keyboard goes back to the button it came from.
            if (!message)
              return void requestAnimationFrame(() => document.getElementById(`revoke-${code}`)?.focus());
            setNotice(message);
            // The server marked its status revoked: read it back now rather than at the next minute's pull.
            ws.reSync();
          }}
        />
      )}
      <table className="admin-catalogue" data-testid="fleet-table">
        <caption>{t.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t.colWorkstation}</th>
            <th scope="col">{t.colAgent}</th>
            <th scope="col">{t.colVersion}</th>
            <th scope="col">{t.colContact}</th>
            <th scope="col">{t.colRequests}</th>
            <th scope="col">{t.colFiles}</th>
            <th scope="col">{t.colRejected}</th>
            <th scope="col">{t.colError}</th>
            <th scope="col">{t.colState}</th>
            <th scope="col">{t.colActions}</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={10}>{t.none}</td>
            </tr>
          )}
          {rows.map((r) => (
            <tr key={r.code} data-testid={`fleet-row-${r.code}`}>
              <th scope="row">
                {r.code} — {r.name}
              </th>
              <td>{r.agent}</td>
              <td>{r.appVersion ?? "—"}</td>
              <td data-testid="fleet-contact">{r.seenAt ? formatDateTime(r.seenAt) : t.never}</td>
              <td data-testid="fleet-pending">{r.pendingRequests}</td>
              <td>{r.pendingFiles}</td>
              <td>{r.rejected}</td>
              <td>{r.lastError ?? "—"}</td>
              <td data-testid="fleet-state">{stateOf(r, hours, now)}</td>
              <td>
                {!r.revokedAt && (
                  <button
                    type="button"
                    id={`revoke-${r.code}`}
                    aria-label={t.revokeLabel(r.code, r.name)}
                    onClick={() => {
                      setNotice(null);
                      setConfirming(r);
                    }}
                  >
                    {t.revoke}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function stateOf(r: WorkstationStatusRow, hours: number, now: Date): string {
  if (r.revokedAt) return t.revokedState(formatDateTime(r.revokedAt), r.revokedBy ?? "");
  if (pendingTooOld(r, hours, now)) return `⚠ ${t.stale(hours)}`;
  return r.pendingRequests + r.pendingFiles + r.rejected > 0 ? t.waiting : t.ok;
}

type Known =
  | { kind: "loading" }
  | { kind: "ready"; info: WorkstationInfo }
  | { kind: "failed"; message: string };

const reasonOf = (err: unknown): string =>
  err instanceof NetworkError ? t.confirmOffline : err instanceof ApiError ? err.reason : String(err);

/** Asks once more, on the page, with what the server knows is pending there; Escape cancels. */
function RevokeConfirmation({ row, onDone }: { row: WorkstationStatusRow; onDone(message?: string): void }) {
  const { settings, session } = useWorkstation();
  const [known, setKnown] = useState<Known>({ kind: "loading" });
  const [error, setError] = useState<string | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
    let live = true;
    fetchWorkstationInfo(settings.serverUrl, session, row.code).then(
      (info) => live && setKnown({ kind: "ready", info }),
      (err: unknown) => live && setKnown({ kind: "failed", message: reasonOf(err) }),
    );
    return () => {
      live = false;
    };
  }, [settings.serverUrl, session, row.code]);

  async function revoke() {
    setError(null);
    try {
      await revokeWorkstation(settings.serverUrl, session, row.code);
      onDone(t.done(row.code));
    } catch (err) {
      setError(t.failed(reasonOf(err)));
    }
  }

  const status = known.kind === "ready" ? known.info.status : null;
  return (
    <section
      className="confirm-panel"
      role="alertdialog"
      aria-labelledby="revoke-title"
      aria-describedby="revoke-loss"
      data-testid="revoke-confirmation"
      onKeyDown={(e) => {
        if (e.key === "Escape") onDone();
      }}
    >
      <h2 id="revoke-title" ref={heading} tabIndex={-1}>
        {t.confirmTitle(row.code, row.name)}
      </h2>
      {known.kind === "loading" && <p role="status">{t.confirmLoading}</p>}
      {known.kind === "failed" && (
        <p className="error" role="alert">
          {known.message}
        </p>
      )}
      {known.kind === "ready" && (
        <p data-testid="revoke-server-knows">
          {status
            ? t.serverKnows(
                formatDateTime(status.seenAt ?? status.reportedAt),
                status.pendingRequests,
                status.pendingFiles,
                status.rejected,
              )
            : t.serverKnowsNothing}
        </p>
      )}
      <p id="revoke-loss" className="warning">
        <strong>{t.loss}</strong>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="buttons">
        <button type="button" disabled={known.kind !== "ready"} onClick={() => void revoke()}>
          {t.confirm}
        </button>{" "}
        <button type="button" onClick={() => onDone()}>
          {t.cancel}
        </button>
      </p>
    </section>
  );
}
