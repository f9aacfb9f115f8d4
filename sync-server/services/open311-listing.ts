import type { GuichetRequest } from "../../domain/request";
import type { CouchDb } from "../couch/couch-db";

/** The Mango index the listing reads (created with the commune's databases, site-clients.ts). */
export const OPEN311_INDEX = {
  ddoc: "idx-open311",
  name: "type-demarche-receivedAt",
  fields: ["type", "demarche", "receivedAt"],
};

/** What a public listing may read of a request: no name, no contact, no free text. */
const PUBLIC_FIELDS = [
  "_id",
  "tracking",
  "demarche",
  "status",
  "open",
  "service",
  "receivedAt",
  "updatedAt",
  "location",
  "events",
  "attachments",
  "anonymised",
];

/** Bounds of one listing: what the spec caps, so that one call stays one small read. */
const MAX_IDS = 100;
const MAX_CODES = 50;
const MAX_ITEMS = 200;

export type Open311Filter =
  | { ids: string[] }
  | { codes: string[]; start: string; end?: string | undefined; statuses: ("open" | "closed")[] };

/**
 * The requests of a GeoReport listing, newest first, of the given services only (the signalements
 * Open311 exposes): by tracking number, or by service, reception dates and status. With ids, the
 * spec ignores the other filters.
 */
export async function findOpen311Requests(
  db: CouchDb,
  serviceCodes: ReadonlySet<string>,
  filter: Open311Filter,
): Promise<GuichetRequest[]> {
  let docs: GuichetRequest[] = [];
  if ("ids" in filter) {
    const rows = await db.allDocs<GuichetRequest>({ keys: filter.ids.slice(0, MAX_IDS), include_docs: true });
    docs = rows.rows.map((row) => row.doc).filter((doc): doc is GuichetRequest => !!doc);
  } else {
    for (const code of filter.codes.slice(0, MAX_CODES)) {
      const res = await db.find<GuichetRequest>({
        selector: {
          type: "request",
          demarche: code,
          receivedAt: { $gte: filter.start, $lte: filter.end ?? "9999" },
        },
        sort: [{ type: "desc" }, { demarche: "desc" }, { receivedAt: "desc" }],
        use_index: [OPEN311_INDEX.ddoc, OPEN311_INDEX.name],
        fields: PUBLIC_FIELDS,
        limit: MAX_ITEMS,
      });
      docs.push(...res.docs);
    }
    const { statuses } = filter;
    if (statuses.length > 0) docs = docs.filter((doc) => statuses.includes(doc.open ? "open" : "closed"));
  }
  return docs
    .filter((doc) => doc.type === "request" || doc.tracking)
    .filter((doc) => serviceCodes.has(doc.demarche))
    .sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1))
    .slice(0, MAX_ITEMS);
}
