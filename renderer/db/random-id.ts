const ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Random lowercase id for local records (attachments, quick answers). */
export function randomId(length = 16): string {
  let out = "";
  for (const b of crypto.getRandomValues(new Uint8Array(length))) out += ALPHABET[b % 36];
  return out;
}
