import { addDays } from "../../domain/calendar";
import { type Catalogue, findDemarche } from "../../domain/catalogue";
import type { GuichetRequest } from "../../domain/request";
import { anonymise, retentionEndsOn } from "../../domain/retention";
import { type CouchDb, CouchError } from "../couch/couch-db";
import { replaceRequest } from "../services/append-events";
import type { AttachmentStore } from "../services/attachment-store";
import { siblingsOf } from "../services/counter";
import { SERVER_WORKSTATION } from "../services/server-codes";
import { inParallel } from "./in-parallel";

/**
 * RGPD retention on the server: closed requests past their démarche's retention period lose
 * their personal data (`anonymise`, a new revision that replicates to every counter, and that
 * wins every later merge there, so a stale offline copy cannot bring the data back). Conflicting
 * revisions, which may still hold the data, are deleted; the stored files are released; and
 * when asked, the database is compacted so old revision bodies are dropped from disk.
 *
 * On a CouchDB cluster: candidates come from `_find` (one copy per shard, may lag), but each one
 * is read again with a quorum GET and `retentionEndsOn` decides from that copy, so a request that
 * was reopened meanwhile is left alone and one missed now is anonymised at the next hourly pass.
 * Conflicts are dropped after the quorum read that shows them. A sibling that appears later (a
 * write accepted by one copy during a node failure) and wins is anonymised again at the next
 * pass; one that loses stays a readable conflict until something lists conflicts (a view on
 * `_conflicts`, not there yet): that gap is known.
 */
export async function applyRetention(o: {
  db: CouchDb;
  catalogue: Catalogue;
  today: string;
  serverUser: string;
  now: () => Date;
  attachments: AttachmentStore;
  /** Admin access to the same database, for compaction (old bodies physically removed). */
  compact?: () => Promise<void>;
}): Promise<{ anonymised: string[] }> {
  const days = o.catalogue.demarches.map((d) => d.retentionDays);
  const longest = Math.max(...days, 1);
  const shortest = Math.min(...days, longest);
  // Nothing updated after this day can be due yet, whatever its démarche.
  const cutoff = `${addDays(o.today, -shortest)}T23:59:59.999Z`;
  const anonymised: string[] = [];
  const pageSize = 500;
  const candidates: string[] = [];
  for (let skip = 0; ; skip += pageSize) {
    const res = await o.db.find<{ _id: string }>({
      selector: { type: "request", open: false, updatedAt: { $lte: cutoff } },
      use_index: ["idx-open-updated", "type-open-updatedAt"],
      fields: ["_id"],
      limit: pageSize,
      skip,
    });
    candidates.push(...res.docs.map((d) => d._id));
    if (res.docs.length < pageSize) break;
  }
  await inParallel(candidates, 16, async (id) => {
    let before: GuichetRequest | null = null;
    const after = await replaceRequest(o.db, id, (doc) => {
      const retention = findDemarche(o.catalogue, doc.demarche)?.retentionDays ?? longest;
      const endsOn = retentionEndsOn(doc, retention);
      if (!endsOn || endsOn > o.today) return null;
      before = doc;
      return anonymise(doc, o.now().toISOString(), o.serverUser, SERVER_WORKSTATION);
    });
    if (!after || !before) return;
    anonymised.push(id);
    await dropConflicts(o.db, id);
    for (const a of (before as GuichetRequest).attachments) await o.attachments.release(a.sha256, id);
    // Files that came with the citizen's replies (email door) go with the rest.
    for (const e of (before as GuichetRequest).events)
      if (e.kind === "message_in") for (const a of e.attachments) await o.attachments.release(a.sha256, id);
  });
  if (anonymised.length > 0 && o.compact) await o.compact();
  return { anonymised };
}

/** Losing revisions of a conflict are still readable with ?rev=: delete them (server role may). */
async function dropConflicts(db: CouchDb, id: string): Promise<void> {
  const doc = await db.get<{ _conflicts?: string[] }>(id, { conflicts: "true" });
  // Never the winner itself, which PouchDB Server may list among the conflicts.
  for (const rev of doc ? siblingsOf(doc) : []) {
    try {
      await db.bulkDocs([{ _id: id, _rev: rev, _deleted: true }]);
    } catch (e) {
      if (!(e instanceof CouchError)) throw e;
    }
  }
}
