import { searchKey } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { normalizeTrackingInput, parseTrackingNumber } from "../../domain/tracking-number";
import { findIndexed } from "./indexed-query";
import type { LocalData } from "./local-database";
import { foldedPattern, queryWords } from "./text-match";

/**
 * Input that reads as a tracking number: short, letters and digits, at least one digit as typed
 * (normalisation turns the I of "petit" into a 1, so the digit test is on the raw text).
 */
export function looksLikeTracking(input: string): boolean {
  const compact = normalizeTrackingInput(input.trim());
  return /^[0-9A-Z]{5,12}$/.test(compact) && /[0-9]/.test(input);
}

export type TrackingLookup =
  | { ok: false; error: string }
  | { ok: true; compact: string; request: GuichetRequest | null };

/**
 * Exact lookup only: the check symbol catches any single wrong character, and the error says so.
 * A near miss is never "corrected" to another request's number.
 */
export async function findByTracking(data: LocalData, input: string): Promise<TrackingLookup> {
  const parsed = parseTrackingNumber(input);
  if (!parsed.ok) return { ok: false, error: parsed.error };
  return { ok: true, compact: parsed.compact, request: await data.repo.get(parsed.compact) };
}

const NAME_INDEX = ["nameKey"] as const;

/**
 * Name search on the nameKey index ("nom prénom", accents and case ignored). Each word typed is
 * tried as the start of the key (an indexed prefix range), and a match must contain every other
 * word as a word prefix: "eloise dubreuil" finds "DUBREUIL-CHÂTEAU Éloïse".
 */
export async function findByName(data: LocalData, text: string, limit = 50): Promise<GuichetRequest[]> {
  const key = searchKey(text);
  if (key.length < 2) return [];
  const words = key.split(" ");
  const starts = [key, ...(words.length > 1 ? words.slice(1, 3) : [])];
  const byId = new Map<string, GuichetRequest>();
  for (const start of starts) {
    const docs = await findIndexed(
      data,
      {
        selector: { nameKey: { $gte: start, $lt: `${start}\uffff` } },
        index: NAME_INDEX,
        sortField: "nameKey",
      },
      start === key ? limit : limit * 4,
    ).exec();
    for (const d of docs) {
      const parts = d.nameKey.split(" ");
      if (words.every((w) => parts.some((p) => p.startsWith(w))))
        byId.set(d.id, d.toJSON() as GuichetRequest);
    }
    if (byId.size >= limit) break;
  }
  return [...byId.values()].slice(0, limit);
}

const TEXT_FIELDS = ["subject", "location.address", "citizen.address.line", "citizen.address.city"];

/**
 * Words of the subject or an address: no index can serve this, so the scan follows the
 * [updatedAt, id] index and stops at `limit` matches (oldest activity first).
 */
export async function findByWords(data: LocalData, text: string, limit = 50): Promise<GuichetRequest[]> {
  const words = queryWords(text);
  if (words.length === 0) return [];
  const selector = {
    $and: words.map((w) => ({
      $or: TEXT_FIELDS.map((field) => ({ [field]: { $regex: foldedPattern(w), $options: "i" } })),
    })),
  };
  const docs = await findIndexed(
    data,
    { selector, index: ["updatedAt"], sortField: "updatedAt" },
    limit,
  ).exec();
  return docs.map((d) => d.toJSON() as GuichetRequest);
}
