import { normalizeTrackingInput, TRACKING_ALPHABET } from "./tracking-number";

/**
 * Code de suivi: the second secret that lets a citizen without an email follow a request (number +
 * code). Given at the counter, by phone and by letter, so it uses the tracking numbers' alphabet
 * (no O/0, I/1, G/J confusion) and their display in two groups of four.
 * 8 random symbols of 31: about 40 bits. With the tracking number and the follow-up page's rate
 * limit, guessing one is out of reach; it is not a password and is never the only key.
 */
export const FOLLOW_UP_CODE_LENGTH = 8;
export const FOLLOW_UP_CODE_PATTERN = /^[0-9A-FHJKMNP-TV-Z]{8}$/;

const BASE = TRACKING_ALPHABET.length;
// Bytes at or above this would make the low symbols likelier (256 = 8 · 31 + 8).
const UNBIASED_LIMIT = BASE * Math.floor(256 / BASE);

/**
 * A new code from random bytes (crypto.getRandomValues or randomBytes: the domain does no I/O).
 * Bytes that would bias the draw are skipped; 32 bytes are plenty (a byte is kept with p = 0.97).
 */
export function makeFollowUpCode(random: Uint8Array): string {
  let code = "";
  for (const byte of random) {
    if (byte >= UNBIASED_LIMIT) continue;
    code += TRACKING_ALPHABET.charAt(byte % BASE);
    if (code.length === FOLLOW_UP_CODE_LENGTH) return code;
  }
  throw new RangeError("Not enough random bytes for a follow-up code: give at least 16.");
}

/** Two groups of four (`7QKD-3MWX`), as printed on the AR and read on the phone. */
export function formatFollowUpCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What a citizen typed → the compact code, or null when it cannot be one (same tolerance as numbers). */
export function parseFollowUpCode(typed: string): string | null {
  const compact = normalizeTrackingInput(typed.slice(0, 40));
  return FOLLOW_UP_CODE_PATTERN.test(compact) ? compact : null;
}
