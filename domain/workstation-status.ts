import { z } from "zod";
import "./zod-fr";
import { isoDateTime, username, workstationCode } from "./request";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

/** Status documents live in the commune's -log database, which every workstation already replicates. */
export const WORKSTATION_STATUS_PREFIX = "workstation-status:";
export const workstationStatusId = (code: string): string => `${WORKSTATION_STATUS_PREFIX}${code}`;

/** What a workstation reports of itself (and the server stamps): one document per workstation. */
export const workstationStatusSchema = z.strictObject({
  type: z.literal("workstation_status"),
  code: workstationCode,
  name: z.string().min(1).max(80).regex(NO_CONTROL, "Caractère non autorisé."),
  /** The agent last logged in on it (the author of this revision, checked by the database). */
  agent: username,
  appVersion: z.string().max(40).regex(NO_CONTROL, "Caractère non autorisé.").optional(),
  /** The workstation's own clock. */
  reportedAt: isoDateTime,
  /** The server's clock when this revision arrived (the gateway stamps it): the last contact. */
  seenAt: isoDateTime.optional(),
  pendingRequests: z.number().int().min(0).max(1_000_000),
  pendingFiles: z.number().int().min(0).max(1_000_000),
  rejected: z.number().int().min(0).max(1_000_000),
  /** When the oldest work still waiting on it was done (absent: nothing waits). */
  oldestPendingAt: isoDateTime.optional(),
  lastError: z.string().max(300).regex(NO_CONTROL, "Caractère non autorisé.").optional(),
  /** Set by the server only: the workstation is cut off and wipes itself at its next contact. */
  revoked: z.strictObject({ at: isoDateTime, by: username }).optional(),
});
export type WorkstationStatus = z.infer<typeof workstationStatusSchema>;

export const DEFAULT_STALE_HOURS = 24;

/** Whether work has waited on the workstation longer than the commune allows. */
export function pendingTooOld(
  s: Pick<WorkstationStatus, "oldestPendingAt" | "pendingRequests" | "pendingFiles" | "rejected">,
  staleHours: number,
  now: Date,
): boolean {
  if (!s.oldestPendingAt || s.pendingRequests + s.pendingFiles + s.rejected === 0) return false;
  return now.getTime() - Date.parse(s.oldestPendingAt) > staleHours * 3_600_000;
}

/** The header a workstation sends on every call: `<code>.<secret>` (secret issued once at registration). */
export const WORKSTATION_HEADER = "X-Guichet-Workstation";
/** The error code of a refusal because the workstation was revoked (gateway `error`, API `errors[0].field`). */
export const WORKSTATION_REVOKED = "workstation_revoked";
