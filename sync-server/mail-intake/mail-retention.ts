import { addDays } from "../../domain/calendar";
import { type Catalogue, findDemarche } from "../../domain/catalogue";
import type { CouchDb } from "../couch/couch-db";
import type { MailRecord, MailRecords } from "./mail-records";
import type { Mailbox } from "./mailbox";

export type MailRetentionReport = { scrubbed: number; purged: number };

/**
 * RGPD retention for what the email door keeps besides requests (domain/retention.ts does the
 * requests):
 * - a record of a mail filed into a request loses the sender, subject, Message-ID and excerpt
 *   when that request is anonymised (or gone);
 * - an « à vérifier » entry, which belongs to no request, loses them once the door's démarche
 *   retention has passed since its arrival, handled or not;
 * - the raw mails the door moved (its « traités » and « à vérifier » folders) are deleted from the
 *   mailbox after the catalogue's longest retention (the door's démarche's for « à vérifier »).
 * A scrubbed record keeps its key (a hash of the Message-ID) and the tracking number, like an
 * anonymised request keeps its number: a mail delivered again is still recognised.
 */
export async function applyMailRetention(o: {
  records: MailRecords;
  requestDb: CouchDb;
  mailbox?: Mailbox;
  folders: { done: string; check: string };
  catalogue: Catalogue;
  /** The démarche the door files mails under (its retention applies to « à vérifier »). */
  demarche: string;
  today: string;
  now: () => Date;
}): Promise<MailRetentionReport> {
  const days = o.catalogue.demarches.map((d) => d.retentionDays);
  const longest = Math.max(...days, 1);
  const shortest = Math.min(...days, longest);
  const door = findDemarche(o.catalogue, o.demarche)?.retentionDays ?? shortest;
  const at = o.now().toISOString();
  let scrubbed = 0;

  // Requests are anonymised at the earliest `shortest` days after closure, so after receipt.
  const filed = await o.records.unscrubbed({
    filed: true,
    receivedBefore: endOf(addDays(o.today, -shortest)),
  });
  const byTracking = new Map<string, MailRecord[]>();
  for (const r of filed)
    if (r.tracking) byTracking.set(r.tracking, [...(byTracking.get(r.tracking) ?? []), r]);
  const ids = [...byTracking.keys()];
  for (let i = 0; i < ids.length; i += 200) {
    const keys = ids.slice(i, i + 200);
    const res = await o.requestDb.allDocs<{ anonymised?: boolean }>({ keys, include_docs: true });
    for (const row of res.rows) {
      const gone = !row.doc || row.value?.deleted === true;
      if (!gone && row.doc?.anonymised !== true) continue;
      for (const rec of byTracking.get(row.key as string) ?? []) {
        await o.records.scrub(rec, at);
        scrubbed += 1;
      }
    }
  }
  const checks = await o.records.unscrubbed({ filed: false, receivedBefore: endOf(addDays(o.today, -door)) });
  for (const rec of checks) {
    await o.records.scrub(rec, at);
    scrubbed += 1;
  }

  let purged = 0;
  if (o.mailbox?.purge) {
    purged += await o.mailbox.purge(o.folders.done, startOf(addDays(o.today, -longest)));
    purged += await o.mailbox.purge(o.folders.check, startOf(addDays(o.today, -door)));
  }
  return { scrubbed, purged };
}

const endOf = (day: string) => `${day}T23:59:59.999Z`;
const startOf = (day: string) => new Date(`${day}T00:00:00.000Z`);
