/**
 * Sizes the database port accepts. A workstation pushes at most 250 requests per `_bulk_docs`
 * (renderer/sync/request-replication.ts) of a few kilobytes each: a push batch is well under
 * a megabyte, so these bounds leave a wide margin and still stop a memory-filling body.
 */
export type GatewayLimits = {
  /** Any request body, as sent and once decompressed (gzip). */
  maxBodyBytes: number;
  /** One document, alone or inside a `_bulk_docs` batch. */
  maxDocumentBytes: number;
  /** Documents in one `_bulk_docs` request. */
  maxBulkDocs: number;
  /** A `POST /_session` body (a name and a password). */
  maxLoginBodyBytes: number;
};

export const DEFAULT_LIMITS: GatewayLimits = {
  maxBodyBytes: 8 * 1024 * 1024,
  maxDocumentBytes: 1024 * 1024,
  maxBulkDocs: 500,
  maxLoginBodyBytes: 16 * 1024,
};
