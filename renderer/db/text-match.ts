import { searchKey } from "../../domain/history";

/** Letters that searchKey folds together, so a regex over stored (accented) text matches the same way. */
const FOLDS: Record<string, string> = {
  a: "aàâäáãå",
  c: "cç",
  e: "eéèêë",
  i: "iîïíì",
  o: "oôöóòõ",
  u: "uùûüú",
  y: "yÿ",
  n: "nñ",
};

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A case- and accent-insensitive regex source for one searchKey'd word. */
export function foldedPattern(word: string): string {
  let out = "";
  for (const ch of word) {
    const fold = FOLDS[ch];
    out += fold ? `[${fold}]` : escapeRegex(ch);
  }
  return out;
}

/** Words of a query, as searchKey sees them (at least 2 characters each). */
export function queryWords(text: string): string[] {
  return searchKey(text)
    .split(" ")
    .filter((w) => w.length >= 2);
}

/** Several words in a row, whatever punctuation or spacing separates them in the stored text. */
export function phrasePattern(text: string): string {
  return queryWords(text).map(foldedPattern).join("[^\\p{L}\\p{N}]+");
}
