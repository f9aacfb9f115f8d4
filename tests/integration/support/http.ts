import type { TestUser } from "./test-couch";

/** A raw HTTP answer: status and parsed JSON body. */
export type Reply = { status: number; body: unknown };

export const basicAuth = (user: TestUser): string =>
  `Basic ${Buffer.from(`${user.name}:${user.password}`).toString("base64")}`;

/** One HTTP call as `user` (anonymous when null), JSON in and out, no client library in between. */
export async function call(
  method: string,
  url: string,
  user: TestUser | null,
  body?: unknown,
): Promise<Reply> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (user) headers.authorization = basicAuth(user);
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(url, {
    method,
    headers,
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** CouchDB's error body: `{ error, reason }`. */
export function errorOf(reply: Reply): { error: string; reason: string } {
  const b = reply.body as { error?: unknown; reason?: unknown };
  return { error: String(b.error ?? ""), reason: String(b.reason ?? "") };
}

/** A bulk row: `{ id, rev }` or `{ id, error, reason }`. */
export type BulkRow = { id: string; rev?: string; error?: string; reason?: string };
