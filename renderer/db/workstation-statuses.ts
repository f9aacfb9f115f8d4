import type { RxCollection, RxJsonSchema } from "rxdb";
import { type WorkstationStatus, workstationStatusSchema } from "../../domain/workstation-status";

/**
 * The commune's workstations as they last reported (status documents of the -log database,
 * pulled with the immediate answers): the fleet view reads them offline like the dashboard.
 */
export type WorkstationStatusRow = {
  code: string;
  name: string;
  agent: string;
  appVersion?: string;
  reportedAt: string;
  seenAt?: string;
  pendingRequests: number;
  pendingFiles: number;
  rejected: number;
  oldestPendingAt?: string;
  lastError?: string;
  revokedAt?: string;
  revokedBy?: string;
};

export const workstationStatusRxSchema: RxJsonSchema<WorkstationStatusRow> = {
  title: "workstation_statuses",
  version: 0,
  primaryKey: "code",
  type: "object",
  properties: {
    code: { type: "string", maxLength: 3 },
    name: { type: "string" },
    agent: { type: "string" },
    appVersion: { type: "string" },
    reportedAt: { type: "string" },
    seenAt: { type: "string" },
    pendingRequests: { type: "integer", minimum: 0 },
    pendingFiles: { type: "integer", minimum: 0 },
    rejected: { type: "integer", minimum: 0 },
    oldestPendingAt: { type: "string" },
    lastError: { type: "string" },
    revokedAt: { type: "string" },
    revokedBy: { type: "string" },
  },
  required: ["code", "name", "agent", "reportedAt", "pendingRequests", "pendingFiles", "rejected"],
};

/** A pulled status document as a row; null when it is not one (checked with the same schema as the server). */
export function statusRow(doc: Record<string, unknown>): WorkstationStatusRow | null {
  const { _id, _rev, _revisions, _conflicts, ...rest } = doc;
  const parsed = workstationStatusSchema.safeParse(rest);
  if (!parsed.success) return null;
  const { type, revoked, ...fields } = parsed.data as WorkstationStatus;
  return { ...fields, ...(revoked ? { revokedAt: revoked.at, revokedBy: revoked.by } : {}) };
}

export async function saveStatusRows(
  collection: RxCollection<WorkstationStatusRow>,
  rows: WorkstationStatusRow[],
): Promise<void> {
  if (rows.length > 0) await collection.bulkUpsert(rows);
}
