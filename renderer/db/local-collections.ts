import type { RxCollection, RxJsonSchema } from "rxdb";
import { type WorkstationStatusRow, workstationStatusRxSchema } from "./workstation-statuses";

/**
 * The workstation's other collections, beside the requests' three (database.ts): counters stay
 * here, immediate answers replicate with the -log database (renderer/sync/contact-log-replication.ts),
 * attachment bytes wait for their upload, the search words index the requests (word-index.ts).
 * 8 collections of the 13 that RxDB's free edition allows.
 */

/** Monotonic counters, e.g. the tracking-number sequence of this workstation's code. */
export type Counter = { id: string; value: number };
const counterSchema: RxJsonSchema<Counter> = {
  title: "counters",
  version: 0,
  primaryKey: "id",
  type: "object",
  properties: { id: { type: "string", maxLength: 40 }, value: { type: "integer", minimum: 0 } },
  required: ["id", "value"],
};

/** A contact answered on the spot (Lutece's "réponse immédiate"): counted, no request created. */
export type QuickAnswer = {
  id: string;
  at: string;
  /** Paris day of `at`, for the "today" counter. */
  day: string;
  by: string;
  workstation: string;
  channel: string;
  reason: string;
  text?: string;
};
const quickAnswerSchema: RxJsonSchema<QuickAnswer> = {
  title: "quick_answers",
  version: 0,
  primaryKey: "id",
  type: "object",
  properties: {
    id: { type: "string", maxLength: 40 },
    at: { type: "string" },
    day: { type: "string", maxLength: 10 },
    by: { type: "string" },
    workstation: { type: "string" },
    channel: { type: "string" },
    reason: { type: "string" },
    text: { type: "string" },
  },
  required: ["id", "at", "day", "by", "workstation", "channel", "reason"],
  indexes: ["day"],
};

/** The bytes of an attachment (the request holds its metadata), until sent (renderer/sync/attachment-upload.ts). */
export type AttachmentFile = { id: string; requestId: string; mime: string; data: string };
const attachmentFileSchema: RxJsonSchema<AttachmentFile> = {
  title: "attachment_files",
  version: 0,
  primaryKey: "id",
  type: "object",
  properties: {
    id: { type: "string", maxLength: 64 },
    requestId: { type: "string", maxLength: 8 },
    mime: { type: "string" },
    data: { type: "string" },
  },
  required: ["id", "requestId", "mime", "data"],
  indexes: ["requestId"],
};

/**
 * The search words of the requests, one document per (word, request): `n:<word> <id>` for a word of
 * the name, `t:<word> <id>` for a word of the subject or place, so that a word prefix is a range of
 * the primary key. Beside them, `r:<id>` keeps a request's entries (to remove the stale ones) and
 * `c:` the last request read (word-index.ts). Derived data, rebuilt from the requests when absent.
 */
export type SearchWord = { id: string; w?: string; lwt?: number };
const searchWordSchema: RxJsonSchema<SearchWord> = {
  title: "search_words",
  version: 0,
  primaryKey: "id",
  type: "object",
  properties: { id: { type: "string", maxLength: 120 }, w: { type: "string" }, lwt: { type: "number" } },
  required: ["id"],
};

export const localCollections = {
  counters: { schema: counterSchema },
  search_words: { schema: searchWordSchema },
  quick_answers: { schema: quickAnswerSchema },
  attachment_files: { schema: attachmentFileSchema },
  workstation_statuses: { schema: workstationStatusRxSchema },
};

export type LocalCollections = {
  counters: RxCollection<Counter>;
  search_words: RxCollection<SearchWord>;
  quick_answers: RxCollection<QuickAnswer>;
  attachment_files: RxCollection<AttachmentFile>;
  workstation_statuses: RxCollection<WorkstationStatusRow>;
};
