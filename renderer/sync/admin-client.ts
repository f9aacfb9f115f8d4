import type { Demarche, Service } from "../../domain/catalogue";
import type { Credentials } from "./http";
import { callJson } from "./server-api";

/** The sync-server's catalogue administration API (admins only; the server checks the role). */
export type CatalogueListing = {
  services: Service[];
  demarches: Demarche[];
  /** Versions kept for old requests, by démarche. */
  archived: Record<string, number[]>;
};

export type SaveResult = { demarche: Demarche; previousVersion: number | null; changed: boolean };

const base = (serverUrl: string) => `${serverUrl.replace(/\/+$/, "")}/api/v1/admin/demarches`;

export function fetchCatalogue(serverUrl: string, creds: Credentials): Promise<CatalogueListing> {
  return callJson<CatalogueListing>(base(serverUrl), creds);
}

export function saveDemarche(
  serverUrl: string,
  creds: Credentials,
  id: string,
  body: Record<string, unknown>,
): Promise<SaveResult> {
  return callJson<SaveResult>(`${base(serverUrl)}/${encodeURIComponent(id)}`, creds, {
    method: "PUT",
    body: JSON.stringify(body),
  });
}

/** A démarche's notice templates, with what each kind may say (notice-templates-api.ts). */
export type NoticeTemplatesListing = {
  demarche: string;
  templates: Partial<Record<string, { subject: string; body: string }>>;
  version: number;
  kinds: { kind: string; label: string; subject: string[]; body: string[] }[];
  placeholders: Record<string, string>;
};

export function fetchNoticeTemplates(
  serverUrl: string,
  creds: Credentials,
  id: string,
): Promise<NoticeTemplatesListing> {
  return callJson<NoticeTemplatesListing>(`${base(serverUrl)}/${encodeURIComponent(id)}/notices`, creds);
}

export function saveNoticeTemplates(
  serverUrl: string,
  creds: Credentials,
  id: string,
  body: { templates: Record<string, { subject: string; body: string }>; baseVersion: number },
): Promise<{ version: number }> {
  return callJson<{ version: number }>(`${base(serverUrl)}/${encodeURIComponent(id)}/notices`, creds, {
    method: "PUT",
    body: JSON.stringify(body),
  });
}
