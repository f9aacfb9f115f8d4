import { WORKSTATION_HEADER, WORKSTATION_REVOKED } from "../../domain/workstation-status";

/**
 * What every call from the workstation to its servers (CouchDB, the sync-server's API) shares:
 * Basic credentials on each call (the password lives in memory only; over https in production),
 * and one family of errors the UI tells apart: the server not reached, or its answer.
 */
export type Credentials = { username: string; password: string };
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/** HTTP Basic credentials, UTF-8 (an accented user name must not break `btoa`). */
export function basicAuthorization({ username, password }: Credentials): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `Basic ${btoa(bin)}`;
}

/** The server was not reached (network down, a proxy's error page): callers retry, the UI says "hors ligne". */
export class NetworkError extends Error {
  override name = "NetworkError";
}

/** The server answered with an error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message = `${status} ${reason}`,
  ) {
    super(message);
  }
}

/**
 * This workstation's identity (code and secret issued at registration), sent on every call to its
 * servers: the server refuses a revoked workstation whoever logs in on it. One per workstation.
 */
let identityHeader: Record<string, string> = {};

export function setWorkstationIdentity(id: { code: string; secret: string } | null | undefined): void {
  identityHeader = id ? { [WORKSTATION_HEADER]: `${id.code}.${id.secret}` } : {};
}

export function identityHeaders(): Record<string, string> {
  return identityHeader;
}

const revokedListeners = new Set<() => void>();

/** Called once the server says this workstation is revoked (renderer/sync/workstation-wipe.ts acts on it). */
export function onWorkstationRevoked(listener: () => void): () => void {
  revokedListeners.add(listener);
  return () => revokedListeners.delete(listener);
}

/** Every refusal passes here: the database's `{ error }` or the API's `{ errors: [{ field }] }`. */
export function noteRefusal(status: number, body: unknown): void {
  if (status !== 403 || typeof body !== "object" || body === null) return;
  const b = body as { error?: unknown; errors?: { field?: unknown }[] };
  const revoked = b.error === WORKSTATION_REVOKED || b.errors?.[0]?.field === WORKSTATION_REVOKED;
  if (revoked) for (const l of [...revokedListeners]) l();
}
