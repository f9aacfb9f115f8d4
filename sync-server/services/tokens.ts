import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { readSecrets, writeSecrets } from "../couch/secrets";

const SECRET_NAME = "portalTokenKey";

/** The key signing the portal's short-lived links; kept in DATA_DIR so every process shares it. */
export function tokenKey(dataDir: string): Buffer {
  const stored = readSecrets(dataDir)[SECRET_NAME];
  if (stored) return Buffer.from(stored, "base64url");
  const key = randomBytes(32).toString("base64url");
  writeSecrets(dataDir, { [SECRET_NAME]: key });
  return Buffer.from(readSecrets(dataDir)[SECRET_NAME] ?? key, "base64url");
}

/**
 * Signed, expiring values for links the portal hands out after a check (follow-up result,
 * confirmation page, a file already received with a form that had errors): `payload.expiry.mac`,
 * URL-safe. The purpose is part of the MAC so a token for one use is worthless for another.
 */
export class Tokens {
  constructor(
    private readonly key: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  sign(purpose: string, payload: string, ttlSeconds: number): string {
    const body = `${Buffer.from(payload).toString("base64url")}.${Math.floor(this.now() / 1000) + ttlSeconds}`;
    return `${body}.${this.mac(purpose, body)}`;
  }

  /** The payload, or null when the token is forged, for another purpose, or expired. */
  verify(purpose: string, token: string): string | null {
    const parts = token.split(".");
    if (parts.length !== 3) return null;
    const [payload, expiry, mac] = parts as [string, string, string];
    const expected = Buffer.from(this.mac(purpose, `${payload}.${expiry}`));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    if (!/^\d+$/.test(expiry) || Number(expiry) * 1000 < this.now()) return null;
    return Buffer.from(payload, "base64url").toString("utf8");
  }

  private mac(purpose: string, body: string): string {
    return createHmac("sha256", this.key).update(`${purpose}\u0000${body}`).digest("base64url").slice(0, 32);
  }
}
