/**
 * Numéros de suivi: issued offline on any workstation, unique by construction.
 *
 * A number is 8 symbols: workstation code (3) + local sequence (4, base 31) + check (1),
 * displayed as two groups of four, e.g. `K7M4-4EEX`. Each workstation (and the online portal)
 * owns a distinct code and a monotonic sequence, so two workstations can never produce the same
 * (code, sequence) pair, hence never the same number, without any coordination or randomness.
 */

/**
 * Crockford base32 (no I, L, O, U) minus G, leaving 31 symbols.
 *
 * Why G: numbers get dictated on the phone, and in French G ("gé") and J ("ji") are the classic
 * confusion, even between native speakers (hence "G comme Gérard, J comme Jacques"). G also looks
 * like 6 in poor print. Other "é" letters (B, D, P, T, V) are confusable too, but dropping one of
 * them would not remove the cluster, whereas dropping G removes the G/J pair entirely.
 * Why 31: it is prime, which is what makes the check symbol provably catch typos (see below).
 */
export const TRACKING_ALPHABET = "0123456789ABCDEFHJKMNPQRSTVWXYZ";

const BASE = TRACKING_ALPHABET.length;
const CODE_LENGTH = 3;
const SEQUENCE_LENGTH = 4;
const PAYLOAD_LENGTH = CODE_LENGTH + SEQUENCE_LENGTH;
const TRACKING_NUMBER_LENGTH = PAYLOAD_LENGTH + 1;
const GROUP_LENGTH = 4;

/** Highest sequence a workstation code can issue (31^4 - 1 = 923 520); past it, allocate a new code. */
export const MAX_TRACKING_SEQUENCE = BASE ** SEQUENCE_LENGTH - 1;

/**
 * Compact canonical form: 8 symbols of the alphabet. Shape only: it does not verify the check
 * symbol, use `parseTrackingNumber` for that.
 */
export const TRACKING_NUMBER_PATTERN = /^[0-9A-FHJKMNP-TV-Z]{8}$/;

const WORKSTATION_CODE_PATTERN = /^[0-9A-FHJKMNP-TV-Z]{3}$/;

/** Separators people type or paste: spaces (incl. non-breaking), dots, underscores, any dash, invisible format chars. */
const SEPARATORS = /[\s._\p{Pd}\p{Cf}\u2212]/gu;

/**
 * Look-alikes mapped onto the alphabet. A wrong guess is harmless: it is a single substitution,
 * which the check symbol always rejects. G→J rather than G→6 because G is mostly a dictation slip.
 */
const CONFUSABLE = "OILUG";
const CONFUSED_WITH = "011VJ";

// Error messages report what the user sees as one character, even if it is several code points.
const GRAPHEMES = new Intl.Segmenter("fr", { granularity: "grapheme" });

export type TrackingNumberParseResult =
  | { ok: true; compact: string; workstationCode: string; sequence: number }
  | { ok: false; error: string };

export function isWorkstationCode(code: string): boolean {
  return WORKSTATION_CODE_PATTERN.test(code);
}

/**
 * Check symbol value of a 7-symbol payload: Σ (i + 1) · v_i mod 31, positions i = 0..6.
 *
 * Seen on the whole number, this means Σ w_i · v_i ≡ 0 (mod 31) with weights 1..7 for the payload
 * and -1 ≡ 30 for the check symbol: 8 distinct non-zero weights modulo the prime 31.
 * - Substituting v by v' at position i shifts the sum by w_i · (v' - v); both factors are non-zero
 *   mod 31 and a prime modulus has no zero divisors, so the sum can no longer be ≡ 0.
 * - Swapping different symbols a, b at positions i, j shifts it by (w_i - w_j) · (b - a), non-zero
 *   for the same reason since weights are distinct. So every transposition is caught, adjacent or not.
 * A base-32 alphabet could not offer this: 32 has zero divisors (e.g. 2 · 16 ≡ 0).
 */
function checkValue(payload: string): number {
  let sum = 0;
  for (let i = 0; i < PAYLOAD_LENGTH; i++) {
    sum += (i + 1) * TRACKING_ALPHABET.indexOf(payload.charAt(i));
  }
  return sum % BASE;
}

function encodeSequence(sequence: number): string {
  let rest = sequence;
  let encoded = "";
  for (let i = 0; i < SEQUENCE_LENGTH; i++) {
    encoded = TRACKING_ALPHABET.charAt(rest % BASE) + encoded;
    rest = Math.floor(rest / BASE);
  }
  return encoded;
}

function decodeSequence(encoded: string): number {
  let sequence = 0;
  for (const symbol of encoded) sequence = sequence * BASE + TRACKING_ALPHABET.indexOf(symbol);
  return sequence;
}

/** Compact canonical number (8 symbols, no dash) for the `sequence`-th request of a workstation. */
export function makeTrackingNumber(workstationCode: string, sequence: number): string {
  if (!isWorkstationCode(workstationCode)) {
    throw new TypeError(
      `Invalid workstation code ${JSON.stringify(workstationCode)}: expected ${CODE_LENGTH} symbols of ${TRACKING_ALPHABET}.`,
    );
  }
  if (!Number.isInteger(sequence) || sequence < 1) {
    throw new RangeError(`Invalid tracking sequence ${sequence}: expected an integer ≥ 1.`);
  }
  if (sequence > MAX_TRACKING_SEQUENCE) {
    throw new RangeError(
      `Tracking sequence ${sequence} exceeds ${MAX_TRACKING_SEQUENCE}, the maximum for workstation code ${workstationCode}: allocate a new workstation code.`,
    );
  }
  const payload = workstationCode + encodeSequence(sequence);
  return payload + TRACKING_ALPHABET.charAt(checkValue(payload));
}

/** Display form, two groups of four (`K7M4-4EEX`): easiest to read back on the phone. */
export function formatTrackingNumber(compact: string): string {
  if (!TRACKING_NUMBER_PATTERN.test(compact)) {
    throw new TypeError(`Not a compact tracking number: ${JSON.stringify(compact)}.`);
  }
  return `${compact.slice(0, GROUP_LENGTH)}-${compact.slice(GROUP_LENGTH)}`;
}

/**
 * What people type → compact uppercase form: separators removed, look-alikes mapped.
 * Does not validate; anything outside the alphabet is kept so `parseTrackingNumber` can name it.
 */
export function normalizeTrackingInput(input: string): string {
  // toUpperCase (not toLocaleUpperCase) so a Turkish locale cannot turn "i" into "İ".
  return input
    .toUpperCase()
    .replace(SEPARATORS, "")
    .replace(/[OILUG]/g, (letter) => CONFUSED_WITH.charAt(CONFUSABLE.indexOf(letter)));
}

function failure(error: string): TrackingNumberParseResult {
  return { ok: false, error };
}

/** Validates user input; errors are in French, meant to be shown as is. */
export function parseTrackingNumber(input: string): TrackingNumberParseResult {
  const compact = normalizeTrackingInput(input);
  if (compact === "") return failure("Veuillez saisir un numéro de suivi.");

  // Unknown characters first: naming the culprit is more helpful than a length count.
  for (const { segment } of GRAPHEMES.segment(compact)) {
    if (segment.length !== 1 || !TRACKING_ALPHABET.includes(segment)) {
      return failure(`Le caractère « ${segment} » n'existe pas dans un numéro de suivi.`);
    }
  }
  if (compact.length !== TRACKING_NUMBER_LENGTH) {
    return failure(
      `Le numéro de suivi doit comporter ${TRACKING_NUMBER_LENGTH} caractères (vous en avez saisi ${compact.length}).`,
    );
  }

  const payload = compact.slice(0, PAYLOAD_LENGTH);
  if (TRACKING_ALPHABET.indexOf(compact.charAt(PAYLOAD_LENGTH)) !== checkValue(payload)) {
    return failure("Le numéro de suivi comporte une faute de frappe : vérifiez chaque caractère.");
  }

  const sequence = decodeSequence(payload.slice(CODE_LENGTH));
  // Well-formed but never issued: sequences start at 1.
  if (sequence === 0) return failure("Ce numéro de suivi n'existe pas : vérifiez chaque caractère.");

  return { ok: true, compact, workstationCode: payload.slice(0, CODE_LENGTH), sequence };
}
