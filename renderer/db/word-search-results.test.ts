import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withEvents } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { buildRequest, WS_A } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { localDataPerTest } from "./local-data.test-support";
import type { LocalData } from "./local-database";
import { findByWords } from "./search";
import { type WordKind, wordEntries } from "./word-index";

/**
 * The word index answers from keys (the lead word's entries, the other words' entries over the
 * same ids, each request's entry list only when needed). What it must answer is what reading
 * every live request's entries gives: the lead (longest) word's entries in (entry, id) order, the
 * first 5,000 of them when there are several words, each request once, kept when it has every
 * other word; one word alone: its first `limit + 10` entries.
 */
function expected(docs: GuichetRequest[], kind: WordKind, words: string[], limit: number): string[] {
  const [lead, ...rest] = [...new Set(words)].sort((a, b) => b.length - a.length);
  if (!lead) return [];
  const lists = new Map(docs.map((d) => [d.id, wordEntries(d)]));
  const entries = docs
    .flatMap((d) =>
      lists.get(d.id)!.flatMap((e) => (e.startsWith(`${kind}:${lead}`) ? [`${e} ${d.id}`] : [])),
    )
    .sort();
  const ids = (es: string[]) => [...new Set(es.map((e) => e.slice(e.lastIndexOf(" ") + 1)))];
  if (rest.length === 0) return ids(entries.slice(0, limit + 10)).slice(0, limit);
  return ids(entries.slice(0, 5_000))
    .filter((id) => rest.every((w) => lists.get(id)!.some((e) => e.startsWith(`${kind}:${w}`))))
    .slice(0, limit);
}

const LAST = ["Martin", "Martine", "Marty", "Lefèvre-Müller", "Müller", "Mullér", "Dupont", "Du Pont", "Ngô"];
const FIRST = ["Léa", "Léo", "Éloïse", "Zoé", "Thị Hương", "Marc", "Martin"];
const SUBJECTS = [
  "Inscription école",
  "Inscription cantine",
  "Inscription sur les listes électorales",
  "Occupation du domaine public",
  "Publicité domaine public",
  "Acte de naissance",
  "Domaines publics, demande",
  "Demande rarissime",
];

/** Request i: names and subjects from small vocabularies, so words share prefixes and requests share words. */
function request(i: number): GuichetRequest {
  const rare = i % 61 === 7;
  return buildRequest("demande_generale", {
    content: {
      subject: `${rare ? "Demande rarissime" : SUBJECTS[(i * 7) % (SUBJECTS.length - 1)]} n° ${i % 40}, dossier`,
      citizen: { lastName: LAST[i % LAST.length]!, firstName: FIRST[(i * 3) % FIRST.length]! },
    },
    ctx: { tracking: makeTrackingNumber(WS_A, i + 1) },
  });
}

const WORDS: Record<"n" | "t", string[]> = {
  n: [
    "martin",
    "mart",
    "ma",
    "martine",
    "muller",
    "mu",
    "lefevre",
    "du",
    "dupont",
    "pont",
    "lea",
    "le",
    "zoe",
    "eloise",
    "huong",
    "thi",
    "ngo",
    "xavier",
  ],
  t: [
    "inscription",
    "inscri",
    "ecole",
    "cantine",
    "listes",
    "electorales",
    "domaine",
    "dom",
    "domaines",
    "public",
    "pub",
    "publics",
    "publicite",
    "naissance",
    "demande",
    "rarissime",
    "12",
    "1",
    "sur",
    "les",
    "zzz",
  ],
};

/** The live requests, as storage holds them. */
async function live(d: LocalData): Promise<GuichetRequest[]> {
  return (await d.db.requests.find().exec()).map((r) => r.toJSON() as GuichetRequest);
}

const query = (kind: "n" | "t") =>
  fc.record({
    kind: fc.constant(kind),
    words: fc.array(fc.constantFrom(...WORDS[kind]), { minLength: 1, maxLength: 3 }),
    limit: fc.constantFrom(1, 3, 7, 20, 50, 500),
  });

describe("word search results", () => {
  const data = localDataPerTest();
  let d: LocalData;
  let docs: GuichetRequest[];

  async function sameAsEveryEntry(runs: number): Promise<void> {
    await d.words.upToDate();
    docs = await live(d);
    await fc.assert(
      fc.asyncProperty(fc.oneof(query("n"), query("t")), async (q) => {
        expect(await d.words.findIds(q.kind, q.words, q.limit)).toEqual(
          expected(docs, q.kind, q.words, q.limit),
        );
      }),
      { numRuns: runs },
    );
  }

  it("finds, in the same order, what reading every request's entries finds, before and after corrections and removals", async () => {
    d = await data();
    await d.repo.bulkInsert(Array.from({ length: 420 }, (_, i) => request(i)));
    await sameAsEveryEntry(200);

    // Corrections (name, subject), removals (tombstones in the replica and in the index), newcomers.
    for (let i = 0; i < 420; i += 9) {
      const r = (await d.repo.get(makeTrackingNumber(WS_A, i + 1)))!;
      if (i % 2 === 0)
        await d.repo.replace(withEvents({ ...r, citizen: { ...r.citizen, lastName: "Martinez" } }, []));
      else await d.repo.replace(withEvents({ ...r, subject: "Domaine public, inscription" }, []));
    }
    for (let i = 4; i < 420; i += 11)
      await (await d.db.requests.findOne(makeTrackingNumber(WS_A, i + 1)).exec())!.remove();
    await d.repo.bulkInsert(Array.from({ length: 60 }, (_, i) => request(420 + i)));
    await sameAsEveryEntry(200);
  }, 60_000);

  it("checks a rare word against a common one on each request's own list, past what a stretch of keys holds", async () => {
    d = await data();
    await d.repo.bulkInsert(Array.from({ length: 420 }, (_, i) => request(i)));
    await d.words.upToDate();
    docs = await live(d);
    // "rarissime" is on one request in 61, "dossier" on every one: far more keys between two
    // candidates than a stretch reads.
    const rare = expected(docs, "t", ["rarissime", "dossier"], 50);
    expect(rare.length).toBeGreaterThan(5);
    expect(await d.words.findIds("t", ["rarissime", "dossier"], 50)).toEqual(rare);
    expect(await d.words.findIds("t", ["dossier", "rarissime"], 3)).toEqual(rare.slice(0, 3));
    // Words on no request at all, and a combination no request has.
    expect(await d.words.findIds("t", ["zzz", "domaine"], 50)).toEqual([]);
    expect(await d.words.findIds("t", ["naissance", "cantine"], 50)).toEqual([]);
    // The requests themselves, in the index's order, accents and case ignored.
    expect((await findByWords(d, "DOMAINE Públic", 500)).map((r) => r.id)).toEqual(
      expected(docs, "t", ["domaine", "public"], 500),
    );
  }, 60_000);
});
