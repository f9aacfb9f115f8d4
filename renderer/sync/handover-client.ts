import type { GuichetRequest } from "../../domain/request";
import { CouchHttpError } from "./couch-client";
import {
  basicAuthorization,
  type Credentials,
  type FetchLike,
  identityHeaders,
  NetworkError,
  noteRefusal,
} from "./http";

export type HandoverResult = { id: string; ok: true } | { id: string; ok: false; reason: string };

/** The sync-server's hand-over of sensitive requests (sync-server/api/handover.ts), in batches it accepts. */
export const HANDOVER_BATCH = 50;

export async function postHandovers(
  url: string,
  auth: Credentials,
  requests: GuichetRequest[],
  fetchImpl: FetchLike = (u, i) => fetch(u, i),
): Promise<HandoverResult[]> {
  let res: Response;
  try {
    res = await fetchImpl(url, {
      method: "POST",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        Authorization: basicAuthorization(auth),
        ...identityHeaders(),
      },
      body: JSON.stringify({ requests }),
    });
  } catch (err) {
    throw new NetworkError((err as Error).message);
  }
  const text = await res.text();
  let body: { results?: HandoverResult[]; errors?: { message?: string }[] };
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    throw new NetworkError(`Réponse illisible (${res.status})`);
  }
  if (res.status >= 502 && res.status <= 504) throw new NetworkError(`HTTP ${res.status}`);
  noteRefusal(res.status, body);
  if (!res.ok || !Array.isArray(body.results)) {
    throw new CouchHttpError(res.status, "handover", body.errors?.[0]?.message ?? res.statusText);
  }
  return body.results;
}
