import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { CouchDb } from "../couch/couch-db";
import type { AttachmentStore } from "../services/attachment-store";
import { watchDeadlines } from "./deadline-watcher";
import { applyRetention } from "./retention";

export type DailyReport = {
  today: string;
  deadlines: { flagged: number; decided: number };
  anonymised: string[];
  /** The email door's retention (mail-intake/mail-retention.ts), when the commune has a door. */
  mail?: { scrubbed: number; purged: number };
};

export type DailyJobs = {
  /** One pass of every daily job, for `today` (the clock's day when omitted). */
  run(today?: string): Promise<DailyReport>;
  stop(): Promise<void>;
};

/**
 * The deadline watcher and retention, on every request database, at start and then every
 * `intervalMs` (hourly by default: each pass is idempotent, so running often only costs a query).
 * `today` comes from an injectable clock so tests can move time.
 */
export function startDailyJobs(o: {
  databases: string[];
  db: (name: string) => CouchDb;
  compact: (name: string) => Promise<void>;
  commune: () => Commune;
  catalogue: () => Catalogue;
  today: () => string;
  now: () => Date;
  serverUser: string;
  attachments: AttachmentStore;
  intervalMs: number | null;
  deadlineSoonDays?: number;
  /** Retention of what the email door keeps (records, « à vérifier », raw mails), after the requests'. */
  mailRetention?: (today: string) => Promise<{ scrubbed: number; purged: number }>;
  onError: (err: unknown) => void;
}): DailyJobs {
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function pass(today: string): Promise<DailyReport> {
    const report: DailyReport = { today, deadlines: { flagged: 0, decided: 0 }, anonymised: [] };
    const risk = o.commune().risk;
    for (const name of o.databases) {
      const db = o.db(name);
      const d = await watchDeadlines({
        db,
        today,
        thresholds: { soonDays: o.deadlineSoonDays ?? risk.soonDays, urgentDays: risk.urgentDays },
        serverUser: o.serverUser,
        now: o.now,
      });
      report.deadlines.flagged += d.flagged;
      report.deadlines.decided += d.decided;
      const r = await applyRetention({
        db,
        catalogue: o.catalogue(),
        today,
        serverUser: o.serverUser,
        now: o.now,
        attachments: o.attachments,
        compact: () => o.compact(name),
      });
      report.anonymised.push(...r.anonymised);
    }
    if (o.mailRetention) report.mail = await o.mailRetention(today);
    await o.attachments.sweepOrphans(24 * 3600 * 1000);
    return report;
  }

  // Passes never overlap: a manual run waits for the scheduled one and the other way round.
  function run(today?: string): Promise<DailyReport> {
    const next = chain.then(() => pass(today ?? o.today()));
    chain = next.catch(() => undefined);
    return next;
  }

  function tick() {
    if (stopped || o.intervalMs === null) return;
    run().catch(o.onError);
    timer = setTimeout(tick, o.intervalMs);
    timer.unref?.();
  }
  tick();

  return {
    run,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await chain;
    },
  };
}
