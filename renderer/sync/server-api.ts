import { catalogueSchema, type Demarche, demarcheSchema } from "../../domain/catalogue";
import { communeSchema } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import type { WorkstationConfig } from "../db/settings-store";

import {
  basicAuthorization,
  type Credentials,
  HttpError,
  identityHeaders,
  NetworkError,
  noteRefusal,
} from "./http";

/** The sync-server's JSON API as seen by a workstation (agent Basic auth on every call). */
export class ApiError extends HttpError {
  constructor(
    status: number,
    reason: string,
    /** The sync-server's `{ field, message }` list (422: the fields at fault). */
    readonly errors: { field: string; message: string }[] = [],
  ) {
    super(status, reason);
  }
}

export async function callJson<T>(url: string, creds: Credentials, init: RequestInit = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      ...init,
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        Authorization: basicAuthorization(creds),
        ...identityHeaders(),
      },
    });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  // A proxy's "bad gateway" or "unavailable": the server proper was not reached.
  if (res.status === 502 || res.status === 503 || res.status === 504)
    throw new NetworkError(`HTTP ${res.status}`);
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    // A proxy's HTML page: the server proper was not reached.
    if (!res.ok) throw new NetworkError(`HTTP ${res.status}`);
  }
  if (!res.ok) {
    noteRefusal(res.status, body);
    // The sync-server answers { errors: [{ field, message }] }, CouchDB { error, reason }.
    const first = Array.isArray(body.errors)
      ? (body.errors[0] as { message?: string } | undefined)
      : undefined;
    const reason = String(first?.message ?? body.reason ?? body.error ?? res.statusText);
    throw new ApiError(res.status, reason, Array.isArray(body.errors) ? fieldErrors(body.errors) : []);
  }
  return body as T;
}

/** An attachment's bytes, as the server keeps them (agent-api.ts checks the agent may read the request). */
export function fetchAttachment(
  serverUrl: string,
  creds: Credentials,
  requestId: string,
  sha256: string,
): Promise<Blob> {
  return fetchRequestFile(serverUrl, creds, requestId, `attachments/${sha256}`);
}

/** A notice to the citizen as a PDF letter (domain/notices.ts), made by the server for that event. */
export function fetchNoticeLetter(
  serverUrl: string,
  creds: Credentials,
  requestId: string,
  eventId: string,
): Promise<Blob> {
  return fetchRequestFile(serverUrl, creds, requestId, `notices/${encodeURIComponent(eventId)}.pdf`);
}

async function fetchRequestFile(
  serverUrl: string,
  creds: Credentials,
  requestId: string,
  path: string,
): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(`${trimSlash(serverUrl)}/api/v1/requests/${encodeURIComponent(requestId)}/${path}`, {
      headers: { Authorization: basicAuthorization(creds), ...identityHeaders() },
    });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  if (res.status >= 502 && res.status <= 504) throw new NetworkError(`HTTP ${res.status}`);
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { errors?: { message?: string }[] };
    noteRefusal(res.status, body);
    throw new ApiError(res.status, body.errors?.[0]?.message ?? res.statusText);
  }
  return res.blob();
}

function fieldErrors(list: unknown[]): { field: string; message: string }[] {
  return list.map((e) => {
    const o = (e ?? {}) as { field?: unknown; message?: unknown };
    return { field: String(o.field ?? ""), message: String(o.message ?? "") };
  });
}

const trimSlash = (u: string) => u.replace(/\/+$/, "");

/**
 * The commune's configuration. Past versions of démarches are read too, unless `previous` already
 * has them for the same catalogue: versions are only ever added when the catalogue changes.
 */
export async function fetchWorkstationConfig(
  serverUrl: string,
  creds: Credentials,
  previous?: WorkstationConfig,
): Promise<WorkstationConfig> {
  const raw = await callJson<Record<string, unknown>>(
    `${trimSlash(serverUrl)}/api/v1/workstation/config`,
    creds,
  );
  const catalogue = catalogueSchema.safeParse(raw.catalogue);
  const databases = raw.databases as WorkstationConfig["databases"];
  const config: WorkstationConfig = {
    commune: communeSchema.parse(raw.commune),
    // A relative couchUrl is relative to the server.
    couchUrl: trimSlash(new URL(String(raw.couchUrl), `${trimSlash(serverUrl)}/`).toString()),
    databases,
    catalogue: catalogue.success ? catalogue.data : DEFAULT_CATALOGUE,
  };
  const known =
    previous?.demarcheVersions && JSON.stringify(previous.catalogue) === JSON.stringify(config.catalogue)
      ? previous.demarcheVersions
      : undefined;
  return { ...config, demarcheVersions: known ?? (await fetchDemarcheVersions(serverUrl, creds, previous)) };
}

async function fetchDemarcheVersions(
  serverUrl: string,
  creds: Credentials,
  previous: WorkstationConfig | undefined,
): Promise<Demarche[]> {
  try {
    const raw = await callJson<{ versions?: unknown[] }>(
      `${trimSlash(serverUrl)}/api/v1/workstation/demarche-versions`,
      creds,
    );
    return (raw.versions ?? []).flatMap((v) => {
      const parsed = demarcheSchema.safeParse(v);
      return parsed.success ? [parsed.data] : [];
    });
  } catch (err) {
    // The configuration itself was read: keep what this workstation knew rather than fail the login.
    if (err instanceof ApiError || err instanceof NetworkError) return previous?.demarcheVersions ?? [];
    throw err;
  }
}

export async function registerWorkstation(
  serverUrl: string,
  creds: Credentials,
  name: string,
): Promise<{ code: string; secret: string }> {
  const res = await callJson<{ code: string; secret: string }>(
    `${trimSlash(serverUrl)}/api/v1/workstations`,
    creds,
    { method: "POST", body: JSON.stringify({ name }) },
  );
  return { code: res.code, secret: res.secret };
}

/** CouchDB's own answer on who this is (roles come from its userCtx). */
export async function couchSession(couchUrl: string, creds: Credentials) {
  return callJson<{ ok?: boolean; userCtx?: { name: string | null; roles: string[] } }>(
    `${trimSlash(couchUrl)}/_session`,
    creds,
  );
}
