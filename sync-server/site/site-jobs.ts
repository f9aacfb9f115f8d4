import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { CommuneDatabases } from "../couch/database-names";
import type { AckMailer } from "../jobs/ack-mailer";
import { conflictMerging } from "../jobs/conflict-merger";
import { type DailyJobs, startDailyJobs } from "../jobs/daily-jobs";
import type { FeedReaction } from "../jobs/feed-runner";
import { runFeedReactions } from "../jobs/feed-runner";
import type { MailDoor } from "../mail-intake/mail-door";
import type { AttachmentStore } from "../services/attachment-store";
import type { SharedServer } from "./options";
import type { SiteClients } from "./site-clients";
import type { StopList } from "./stop-list";

/**
 * A commune's jobs: the reactions to its databases' changes (settings reload, accusés, sibling
 * merges), all followed by one runner, and the daily jobs (deadlines, retention).
 */
export async function startSiteJobs(
  base: SharedServer,
  site: {
    databases: CommuneDatabases;
    clients: SiteClients;
    commune: () => Commune;
    catalogue: () => Catalogue;
    today: () => string;
    serverUser: string;
    attachments: AttachmentStore;
    configReload: FeedReaction<unknown>;
    acks: AckMailer;
    door: MailDoor | null;
  },
  stops: StopList,
): Promise<DailyJobs> {
  const { opts, now, logError, instanceId } = base;
  const { clients } = site;
  const requestDatabases = [site.databases.main, ...Object.values(site.databases.sensitive)];
  // Claims left by a previous run are scheduled again before the feeds bring new work.
  await site.acks.outbox.resume();
  // Sibling revisions (a cluster with a node down) merged into one, so no branch's events are lost.
  const merging = conflictMerging({
    databases: requestDatabases,
    // Unbatched: rare writes, each answered as CouchDB answers it (409 on a moved revision).
    db: (name) => clients.asServer.db(name),
    instanceId,
    onError: logError,
  });
  stops.add(() => merging.stop());
  const feeds = runFeedReactions({
    checkpoints: clients.asServer.db(clients.serverDbName),
    reactions: [
      site.configReload,
      site.acks.reaction as FeedReaction<unknown>,
      merging.reaction as FeedReaction<unknown>,
    ],
    onError: logError,
  });
  stops.add(() => feeds.stop());

  const daily = startDailyJobs({
    databases: requestDatabases,
    db: clients.serverDb,
    compact: async (name) => {
      await clients.admin.request(`${encodeURIComponent(name)}/_compact`, { method: "POST", body: {} });
    },
    commune: site.commune,
    catalogue: site.catalogue,
    today: site.today,
    now,
    serverUser: site.serverUser,
    attachments: site.attachments,
    ...(site.door ? { mailRetention: site.door.applyRetention } : {}),
    intervalMs: dailyInterval(opts.jobs),
    onError: logError,
  });
  stops.add(() => daily.stop());
  return daily;
}

/** Hourly unless told otherwise; `jobs: false` runs them only when asked. */
function dailyInterval(jobs: boolean | { intervalMs?: number } | undefined): number | null {
  if (jobs === false) return null;
  return typeof jobs === "object" ? (jobs.intervalMs ?? 3_600_000) : 3_600_000;
}
