import type { Credentials } from "./http";
import { callJson } from "./server-api";

/** One application's Open311 key as the server lists it (never the secret). */
export type ApiKeyInfo = {
  id: string;
  application: string;
  createdAt: string;
  createdBy: string;
  revokedAt?: string;
  revokedBy?: string;
};
export type ApiKeyListing = { requireKey: boolean; keys: ApiKeyInfo[] };

const base = (serverUrl: string) => `${serverUrl.replace(/\/+$/, "")}/api/v1/admin/api-keys`;

export const fetchApiKeys = (serverUrl: string, creds: Credentials): Promise<ApiKeyListing> =>
  callJson<ApiKeyListing>(base(serverUrl), creds);

/** The answer carries the key itself, shown once: the server keeps only its hash. */
export const issueApiKey = (
  serverUrl: string,
  creds: Credentials,
  application: string,
): Promise<ApiKeyInfo & { key: string }> =>
  callJson(base(serverUrl), creds, { method: "POST", body: JSON.stringify({ application }) });

export const revokeApiKey = (serverUrl: string, creds: Credentials, id: string): Promise<ApiKeyInfo> =>
  callJson(`${base(serverUrl)}/${encodeURIComponent(id)}/revoke`, creds, { method: "POST" });

export const setRequireKey = (
  serverUrl: string,
  creds: Credentials,
  requireKey: boolean,
): Promise<{ requireKey: boolean }> =>
  callJson(`${base(serverUrl)}/settings`, creds, { method: "PUT", body: JSON.stringify({ requireKey }) });
