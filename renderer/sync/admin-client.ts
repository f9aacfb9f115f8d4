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
