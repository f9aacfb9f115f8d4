import { addDays, daysBetween } from "../../domain/calendar";
import { newEventId } from "../../domain/history";
import { type GuichetRequest, NO_DUE_DATE, type RequestEvent } from "../../domain/request";
import { OPEN_STATUSES } from "../../domain/workflow";
import type { CouchDb } from "../couch/couch-db";
import { appendEvents } from "../services/append-events";
import { SERVER_WORKSTATION } from "../services/server-codes";
import { inParallel } from "./in-parallel";

export type DeadlineThresholds = { soonDays: number; urgentDays: number };

type Level = "soon" | "urgent" | "overdue";

/**
 * What the watcher adds to one request today, from its current state only (hence idempotent):
 * - a `deadline_flagged` event per level (soon, urgent, overdue) and per due date, once: a due
 *   date moved by a suspension gets its own flags;
 * - once the period is over (today after `dueOn`, its last day: the decision is born at the end
 *   of it, see domain/deadlines.ts), the `implicit_decision` event with the outcome, once.
 */
export function deadlineEvents(
  r: GuichetRequest,
  today: string,
  t: DeadlineThresholds,
  by: { user: string; at: string },
): RequestEvent[] {
  if (r.anonymised || !r.open || r.outcome === "none" || r.dueOn === NO_DUE_DATE) return [];
  const left = daysBetween(today, r.dueOn);
  const level: Level | null =
    left < 0 ? "overdue" : left <= t.urgentDays ? "urgent" : left <= t.soonDays ? "soon" : null;
  const base = () => ({
    id: newEventId(by.at, SERVER_WORKSTATION),
    at: by.at,
    by: by.user,
    workstation: SERVER_WORKSTATION,
  });
  const out: RequestEvent[] = [];
  const flagged = r.events.some(
    (e) => e.kind === "deadline_flagged" && e.level === level && e.dueOn === r.dueOn,
  );
  if (level && !flagged) out.push({ ...base(), kind: "deadline_flagged", dueOn: r.dueOn, level });
  if (left < 0 && r.implicitDecision === "none" && !r.events.some((e) => e.kind === "implicit_decision")) {
    out.push({ ...base(), kind: "implicit_decision", outcome: r.outcome, dueOn: r.dueOn });
  }
  return out;
}

/**
 * One pass over a request database: open requests whose due date is within `soonDays` (or
 * past), through the bootstrap's (type, status, dueOn) index, one status at a time.
 *
 * On a CouchDB cluster: `_find` reads one copy of each shard, so a request acknowledged a moment
 * ago (or its latest status) may be missing from this pass or show an old version. That is safe
 * because the query only chooses candidates: each one is read again with a document GET (a
 * quorum) and `deadlineEvents` decides from that copy, so a stale hit adds nothing twice; and the
 * pass runs again every hour, so a request missed now is flagged at the next pass (the decision
 * event carries its own `dueOn`, not the day of the pass). Two processes racing on one request
 * are serialised by the revision (see `appendEvents`).
 */
export async function watchDeadlines(o: {
  db: CouchDb;
  today: string;
  thresholds: DeadlineThresholds;
  serverUser: string;
  now: () => Date;
}): Promise<{ flagged: number; decided: number }> {
  const horizon = addDays(o.today, o.thresholds.soonDays);
  let flagged = 0;
  let decided = 0;
  const pageSize = 500;
  for (const status of OPEN_STATUSES) {
    for (let skip = 0; ; skip += pageSize) {
      const res = await o.db.find<GuichetRequest>({
        selector: { type: "request", status, dueOn: { $lte: horizon } },
        use_index: ["idx-status-due", "type-status-dueOn"],
        fields: ["_id"],
        limit: pageSize,
        skip,
      });
      await inParallel(res.docs as unknown as { _id: string }[], 16, async ({ _id }) => {
        const { added } = await appendEvents(o.db, _id, (doc) =>
          deadlineEvents(doc, o.today, o.thresholds, { user: o.serverUser, at: o.now().toISOString() }),
        );
        flagged += added.filter((e) => e.kind === "deadline_flagged").length;
        decided += added.filter((e) => e.kind === "implicit_decision").length;
      });
      if (res.docs.length < pageSize) break;
    }
  }
  return { flagged, decided };
}
