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
