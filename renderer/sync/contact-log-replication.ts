import type { RxCollection, WithDeleted } from "rxdb";
import { replicateRxCollection } from "rxdb/plugins/replication";
import { parisDate } from "../../domain/history";
import { WORKSTATION_STATUS_PREFIX } from "../../domain/workstation-status";
import type { QuickAnswer } from "../db/local-collections";
import { type CouchClient, couchClient } from "./couch-client";
import type { Credentials, FetchLike } from "./http";

/**
 * The immediate answers ("réponses immédiates") and the commune's -log database: each workstation
 * sends its own entries and receives everyone's, so a supervisor's dashboard counts the whole
 * counter's workload. Entries never change once written, so there is nothing to merge: a write
 * answered "conflict" is an earlier push whose answer was lost. No live connection of its own
 * (the requests' long-poll already holds one): a pull every minute is plenty for statistics.
 */
type Checkpoint = { seq: string | number };
type CouchDoc = Record<string, unknown> & { _id: string; _rev?: string; _deleted?: boolean };

export type ContactLogReplicationOptions = {
  collection: RxCollection<QuickAnswer>;
  dbUrl: string;
  auth: Credentials;
  fetch?: FetchLike;
  pullEveryMs?: number;
  retryMs?: number;
  /** Workstations' status documents (same database, same pull): the fleet view's rows. */
  onStatuses?: (docs: Record<string, unknown>[]) => Promise<void>;
};

export function toLogDoc(q: QuickAnswer): CouchDoc {
  return {
    _id: q.id,
    type: "contact_log",
    at: q.at,
    by: q.by,
    workstation: q.workstation,
    channel: q.channel,
    reason: q.reason,
    ...(q.text ? { text: q.text } : {}),
  };
}

export function fromLogDoc(doc: CouchDoc): WithDeleted<QuickAnswer> {
  if (doc._deleted && typeof doc.at !== "string") {
    // Deleted by retention on the server: a tombstone.
    return { id: doc._id, at: "", day: "", by: "", workstation: "", channel: "", reason: "", _deleted: true };
  }
  const at = String(doc.at);
  return {
    id: doc._id,
    at,
    day: parisDate(at),
    by: String(doc.by),
    workstation: String(doc.workstation),
    channel: String(doc.channel),
    reason: String(doc.reason),
    ...(typeof doc.text === "string" ? { text: doc.text } : {}),
    _deleted: !!doc._deleted,
  };
}

export function startContactLogReplication(opts: ContactLogReplicationOptions) {
  const client: CouchClient = couchClient(opts.dbUrl, opts.auth, opts.fetch);
  const replication = replicateRxCollection<QuickAnswer, Checkpoint>({
    collection: opts.collection,
    replicationIdentifier: `guichet-log-${client.url}`,
    live: true,
    retryTime: opts.retryMs ?? 10_000,
    waitForLeadership: false,
    autoStart: true,
    pull: {
      batchSize: 500,
      async handler(checkpoint, batchSize) {
        const res = await client.changes({ since: checkpoint?.seq ?? 0, limit: batchSize });
        const rows = res.results.filter((r) => r.doc && !r.id.startsWith("_design/"));
        const statuses = rows.filter((r) => r.id.startsWith(WORKSTATION_STATUS_PREFIX));
        if (statuses.length > 0) await opts.onStatuses?.(statuses.map((r) => r.doc as CouchDoc));
        const documents = rows
          .filter((r) => !r.id.startsWith(WORKSTATION_STATUS_PREFIX))
          .map((r) => fromLogDoc(r.doc as CouchDoc));
        // A batch thinned by design documents: ask again rather than stop early.
        const more = res.results.length === batchSize && documents.length < batchSize;
        if (more) setTimeout(() => replication.reSync(), 0);
        return { documents, checkpoint: { seq: res.last_seq as string | number } };
      },
    },
    push: {
      batchSize: 200,
      async handler(rows) {
        // Entries are written once: only new, live ones travel; the server's refusals are final.
        const fresh = rows.filter((r) => !r.assumedMasterState && !r.newDocumentState._deleted);
        if (fresh.length > 0) await client.bulkDocs(fresh.map((r) => toLogDoc(r.newDocumentState)));
        return [];
      },
    },
  });
  const timer = setInterval(() => replication.reSync(), opts.pullEveryMs ?? 60_000);
  return {
    replication,
    awaitInSync: () => replication.awaitInSync(),
    reSync: () => replication.reSync(),
    async stop(): Promise<void> {
      clearInterval(timer);
      await replication.cancel();
    },
  };
}
export type ContactLogReplication = ReturnType<typeof startContactLogReplication>;
