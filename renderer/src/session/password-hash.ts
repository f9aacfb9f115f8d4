/**
 * Offline login check: PBKDF2-SHA-256 (WebCrypto) of the password with a random salt. Only the
 * hash is stored; the password itself lives in memory, for replication, until logout.
 * 600 000 iterations: OWASP's 2023 figure for PBKDF2-SHA-256.
 */
export const PBKDF2_ITERATIONS = 600_000;

export type PasswordHash = { salt: string; hash: string; iterations: number };

export async function hashPassword(
  password: string,
  salt: Uint8Array = crypto.getRandomValues(new Uint8Array(16)),
  iterations = PBKDF2_ITERATIONS,
): Promise<PasswordHash> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    key,
    256,
  );
  return { salt: toB64(salt), hash: toB64(new Uint8Array(bits)), iterations };
}

export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const again = await hashPassword(password, fromB64(stored.salt), stored.iterations);
  return constantTimeEqual(again.hash, stored.hash);
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

const toB64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromB64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
