import type { GuichetRequest } from "../../../domain/request";
import { type CouchClient, couchClient } from "../couch-client";
import type { Credentials, FetchLike } from "../http";

/** A database the workstation replicates with: the main one ("" key), or a sensitive service's. */
export type Source = { key: string; client: CouchClient };

/** The main database first, then each sensitive one held, in a stable order. */
export function replicationSources(
  main: CouchClient,
  sensitiveDbUrls: Record<string, string>,
  auth: Credentials,
  fetchImpl?: FetchLike,
): Source[] {
  return [
    { key: "", client: main },
    ...Object.entries(sensitiveDbUrls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, url]) => ({ key, client: couchClient(url, auth, fetchImpl) })),
  ];
}

/**
 * Where a request lives on the server: its sensitive service's database when this workstation
 * holds it, the server's hand-over when it may not, the main database otherwise.
 */
export function requestRouter(sources: readonly Source[], handoverServices: ReadonlySet<string>) {
  const main = sources[0]!;
  const sensitive = new Map(sources.slice(1).map((s) => [s.key, s]));
  return (doc: GuichetRequest): Source | "handover" => {
    if (!doc.sensitive) return main;
    return sensitive.get(doc.service) ?? (handoverServices.has(doc.service) ? "handover" : main);
  };
}

/** Items grouped by where they go, in first-seen order. */
export function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
