import type { WithDeleted } from "rxdb";
import { migrateRequest } from "../../../domain/migrations";
import { type GuichetRequest, NO_DUE_DATE, SCHEMA_VERSION } from "../../../domain/request";
import { withoutRxFields } from "../../db/database";
import type { ChangeRow } from "../couch-client";

/** A request as RxDB's replication handles it (a deletion included). */
export type Doc = WithDeleted<GuichetRequest>;
export type CouchDoc = Record<string, unknown> & { _id: string; _rev?: string; _deleted?: boolean };

/** A CouchDB document as a local request: deletion stubs become tombstones, old shapes are migrated. */
export function fromCouch(doc: CouchDoc): Doc {
  const { _id, _rev, _revisions, _conflicts, ...rest } = doc;
  if (doc._deleted && !("events" in rest)) {
    // A deletion stub carries no body: keep a tombstone that satisfies the indexes.
    return {
      id: _id,
      _deleted: true,
      open: false,
      service: "",
      dueOn: NO_DUE_DATE,
      channel: "autre",
      status: "cancelled",
      receivedAt: "",
      updatedAt: "",
      nameKey: "",
    } as unknown as Doc;
  }
  const body: Record<string, unknown> = { ...rest, id: _id };
  // A document written by an older version of the app is brought to today's shape as it arrives.
  const current =
    body.schemaVersion === SCHEMA_VERSION ? (body as unknown as GuichetRequest) : migrateRequest(body);
  return { ...current, _deleted: !!doc._deleted };
}

/** A local request as a CouchDB document, with the revision it replaces when there is one. */
export function toCouch(doc: GuichetRequest & { _deleted?: boolean }, rev?: string): CouchDoc {
  const out: CouchDoc = { ...withoutRxFields(doc), _id: doc.id };
  if (rev) out._rev = rev;
  if (doc._deleted) out._deleted = true;
  return out;
}

/** The requests in a page of `_changes`: design documents stored in the same database are skipped. */
export function requestsIn(rows: readonly ChangeRow[]): Doc[] {
  return rows.filter((r) => r.doc && !r.id.startsWith("_design/")).map((r) => fromCouch(r.doc as CouchDoc));
}
