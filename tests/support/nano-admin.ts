import nano, { type ServerScope } from "nano";

/**
 * The tests' own admin client (nano), independent of the server's (sync-server/couch/couch-db.ts):
 * what a test reads back to check the server is not read through the code under test.
 */
export function nanoAdmin(url: string, user: string, password: string): ServerScope {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return nano({ url: u.toString().replace(/\/+$/, "") });
}
