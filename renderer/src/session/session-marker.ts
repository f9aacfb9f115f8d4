/**
 * Who was logged in on this page before a reload or a closed tab: the agent comes back to the lock
 * screen, not to a full logout. Only the username: the password is asked again, checked online or
 * against the offline hash.
 */
const KEY = "guichet.session.v1";

export type SessionMarker = { username: string; since: string };

export function loadMarker(): SessionMarker | null {
  try {
    const m = JSON.parse(localStorage.getItem(KEY) ?? "null") as SessionMarker | null;
    return m && typeof m.username === "string" && m.username ? m : null;
  } catch {
    return null;
  }
}

export function saveMarker(username: string): void {
  localStorage.setItem(KEY, JSON.stringify({ username, since: new Date().toISOString() }));
}

export function clearMarker(): void {
  localStorage.removeItem(KEY);
}
