import type { WorkstationStatus } from "../../domain/workstation-status";
import type { Credentials } from "./http";
import { callJson } from "./server-api";

/** What the server knows of one workstation (sync-server/api/fleet-api.ts). */
export type WorkstationInfo = {
  code: string;
  name: string;
  createdAt: string;
  createdBy: string;
  revoked: { at: string; by: string } | null;
  status: WorkstationStatus | null;
};

const url = (serverUrl: string, code: string, rest = "") =>
  `${serverUrl.replace(/\/+$/, "")}/api/v1/workstations/${encodeURIComponent(code)}${rest}`;

export const fetchWorkstationInfo = (serverUrl: string, creds: Credentials, code: string) =>
  callJson<WorkstationInfo>(url(serverUrl, code), creds);

/** Cuts the workstation off at once; it wipes itself at its next contact. */
export const revokeWorkstation = (serverUrl: string, creds: Credentials, code: string) =>
  callJson<WorkstationInfo>(url(serverUrl, code, "/revoke"), creds, { method: "POST" });
