import type { GuichetRequest } from "../../../domain/request";
import { requestConflictHandler } from "../../db/database";
import type { AllDocsRow, BulkRow } from "../couch-client";
import { type CouchDoc, type Doc, fromCouch } from "./couch-docs";

/** What RxDB hands the push handler: the new state, and the server state it was based on (updates). */
export type PushRow = { newDocumentState: GuichetRequest; assumedMasterState?: GuichetRequest };

/**
 * Step 1, before writing: only updates need the server's revision and a conflict check (new
 * documents cannot conflict). `server` holds the server's rows for the updates.
 */
export function planWrites(
  rows: readonly PushRow[],
  server: readonly AllDocsRow[],
): { toWrite: PushRow[]; revs: Map<string, string>; conflicts: Doc[] } {
  const byId = new Map(server.map((r) => [r.key, r]));
  const toWrite: PushRow[] = [];
  const revs = new Map<string, string>();
  const conflicts: Doc[] = [];
  for (const row of rows.filter((r) => r.assumedMasterState)) {
    const current = byId.get(row.newDocumentState.id);
    if (!current?.doc || current.value?.deleted) {
      toWrite.push(row); // refused earlier, or never arrived: write it as new
    } else if (requestConflictHandler.isEqual(fromCouch(current.doc as CouchDoc), row.assumedMasterState!)) {
      revs.set(row.newDocumentState.id, String(current.doc._rev));
      toWrite.push(row);
    } else {
      conflicts.push(fromCouch(current.doc as CouchDoc));
    }
  }
  toWrite.push(...rows.filter((r) => !r.assumedMasterState));
  return { toWrite, revs, conflicts };
}

/**
 * Step 2, `_bulk_docs`' answer, matched by id (PouchDB Server does not keep the request's order):
 * written, or to look at again, with the server's reason when it was a refusal, not a conflict.
 */
export function sortBulkResults(
  written: readonly PushRow[],
  results: readonly BulkRow[],
): { pushed: GuichetRequest[]; again: PushRow[]; refused: Map<string, string> } {
  const resultById = new Map(results.map((r) => [r.id, r]));
  const pushed: GuichetRequest[] = [];
  const again: PushRow[] = [];
  const refused = new Map<string, string>();
  for (const row of written) {
    const r = resultById.get(row.newDocumentState.id);
    if (r?.ok) pushed.push(row.newDocumentState);
    else {
      again.push(row);
      if (r?.error !== "conflict")
        refused.set(row.newDocumentState.id, r?.reason ?? r?.error ?? "refus sans motif");
    }
  }
  return { pushed, again, refused };
}

/**
 * Step 3, the rows not written, against the server's current state: refused for good (flag it),
 * already there (an earlier push whose answer was lost), or a conflict for RxDB to merge.
 */
export function settleRetries(
  again: readonly PushRow[],
  server: readonly AllDocsRow[],
  refused: ReadonlyMap<string, string>,
  revs: ReadonlyMap<string, string>,
): { rejected: { doc: GuichetRequest; reason: string }[]; pushed: GuichetRequest[]; conflicts: Doc[] } {
  const byId = new Map(server.map((r) => [r.key, r]));
  const rejected: { doc: GuichetRequest; reason: string }[] = [];
  const pushed: GuichetRequest[] = [];
  const conflicts: Doc[] = [];
  for (const row of again) {
    const id = row.newDocumentState.id;
    const current = byId.get(id)?.doc as CouchDoc | null | undefined;
    const reason = refused.get(id);
    // PouchDB Server validates a stale revision against the current document and answers
    // "forbidden" where CouchDB answers "conflict": a refusal only counts if our revision was current.
    if (reason !== undefined && (!current || current._rev === revs.get(id))) {
      rejected.push({ doc: row.newDocumentState, reason });
      continue;
    }
    if (!current) continue; // deleted meanwhile: RxDB retries the row
    const master = fromCouch(current);
    if (requestConflictHandler.isEqual(master, row.newDocumentState)) pushed.push(row.newDocumentState);
    else conflicts.push(master);
  }
  return { rejected, pushed, conflicts };
}
