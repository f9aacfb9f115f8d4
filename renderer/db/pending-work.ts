import { combineLatest, from, map, type Observable, switchMap } from "rxjs";
import type { GuichetRequest } from "../../domain/request";
import type { LocalData } from "./local-database";
import { syncLedger } from "./sync-ledger";

export type PendingRequestRow = { id: string; since: string; subject: string };
export type PendingFileRow = { id: string; requestId: string; name: string };
export type PendingWork = {
  requests: PendingRequestRow[];
  files: PendingFileRow[];
  /** Requests waiting beyond those listed (a workstation offline for weeks may hold thousands). */
  moreRequests: number;
};

/** What the sync screen lists; the rest is counted. */
export const PENDING_LISTED = 200;

/**
 * What this workstation holds that the server does not yet: the requests changed here (their
 * pending markers) and the attachments not uploaded, named as the agent knows them, live.
 */
export function pendingWork$(data: LocalData): Observable<PendingWork> {
  const markers$ = from(syncLedger(data.db)).pipe(switchMap((ledger) => ledger.pending$(PENDING_LISTED)));
  const files$ = data.local.attachment_files.find({ sort: [{ id: "asc" }] }).$;
  return combineLatest([markers$, files$]).pipe(
    switchMap(([{ markers, total }, fileDocs]) => {
      const ids = [...new Set([...markers.map((m) => m.id), ...fileDocs.map((f) => f.requestId)])];
      return from(data.db.requests.findByIds(ids).exec()).pipe(
        map((found) => {
          const request = (id: string) => found.get(id)?.toJSON() as GuichetRequest | undefined;
          return {
            moreRequests: Math.max(0, total - markers.length),
            requests: markers.map((m) => ({ id: m.id, since: m.at, subject: request(m.id)?.subject ?? "" })),
            files: fileDocs.map((f) => ({
              id: f.id,
              requestId: f.requestId,
              name: request(f.requestId)?.attachments?.find((a) => a.id === f.id)?.name ?? "",
            })),
          };
        }),
      );
    }),
  );
}
