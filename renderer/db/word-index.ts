import type { RxCollection, RxDocumentData } from "rxdb";
import { citizenKeys } from "../../domain/citizen-identity";
import { searchKey } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { changesQuery } from "./changes-query";
import type { SearchWord } from "./local-collections";
import { type KeyRange, RawReads } from "./raw-reads";
import type { Checkpoint } from "./row-snapshot";

/**
 * An index of every word of the requests' names and subjects (RxDB indexes one value per document,
 * so "muller" cannot be found inside "lefevre muller eloise" by the nameKey index). It follows the
 * requests' last-write order from a checkpoint, so whatever wrote them (this workstation, the
 * replication, an older version of the app that had no index) is indexed after, and a crash in the
 * middle only means reading the same requests again.
 */
/** n: a word of the name; t: of the subject or place; e, p, a: the citizen's email, phone, name and address. */
export type WordKind = "n" | "t" | "e" | "p" | "a";

const CHUNK = 2_000;
/** Several words: at most this many entries of the leading word are read, by pages of MIN_PAGE to MAX_PAGE. */
const MAX_ENTRIES = 5_000;
const MIN_PAGE = 20;
const MAX_PAGE = 500;
/** Another word's entries read over a stretch of the lead's: at most this many per candidate (then checked one by one). */
const STRETCH_FACTOR = 4;
const MAX_WORD = 60;
const MAX_KEY = 100;
/** Change the number whenever wordEntries changes: every request is then read again. */
const CHECKPOINT_ID = "c:1";

/**
 * A request's index entries: `n:<word>` for its name, `t:<word>` for its subject, place and the
 * citizen's address, and the
 * keys that tell its citizen (citizen-identity.ts), to find the same person's other requests.
 */
export function wordEntries(
  doc: Pick<GuichetRequest, "nameKey" | "subject" | "location" | "citizen" | "anonymised">,
): string[] {
  const out = new Set<string>();
  const add = (kind: WordKind, text: string) => {
    for (const w of searchKey(text).split(" ")) if (w.length >= 2) out.add(`${kind}:${w.slice(0, MAX_WORD)}`);
  };
  add("n", doc.nameKey);
  const home = doc.citizen?.address;
  add("t", `${doc.subject} ${doc.location?.address ?? ""} ${home ? `${home.line} ${home.city}` : ""}`);
  if (!doc.anonymised && doc.citizen) {
    const keys = citizenKeys(doc.citizen);
    if (keys.email) out.add(`e:${identityValue(keys.email)}`);
    if (keys.phone) out.add(`p:${identityValue(keys.phone)}`);
    if (keys.nameAddress) out.add(`a:${identityValue(keys.nameAddress)}`);
  }
  return [...out].sort();
}

/** A key as stored in an entry: no space (entries are space-separated), bounded (checked again on the request). */
export const identityValue = (key: string) => key.replace(/\s/g, "_").slice(0, MAX_KEY);

type Words = RxCollection<SearchWord>;
const requestOf = (entry: string) => entry.slice(entry.lastIndexOf(" ") + 1);
type Row = { document: SearchWord; previous?: RxDocumentData<SearchWord> | undefined; deleted?: boolean };
type Requests = RxCollection<GuichetRequest>;

/** More requests than this with no index yet: search scans while the index is built in the background. */
const LONG_BUILD = 5_000;

export class WordIndex {
  private checkpoint: Checkpoint | null = null;
  private loading: Promise<void> | null = null;
  /** Building from scratch over a large replica (an existing workstation's first start with the index). */
  private building = false;
  private running: Promise<void> | null = null;
  private again = false;
  /** A request was written since the last read of the changes (set by the collection's events). */
  private dirty = true;
  private saved: RxDocumentData<SearchWord> | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly requests: Requests,
    private readonly words: Words,
    private readonly longBuild = LONG_BUILD,
  ) {
    const sub = requests.$.subscribe(() => {
      this.dirty = true;
      void this.catchUp().catch(() => undefined);
    });
    this.unsubscribe = () => sub.unsubscribe();
  }

  /**
   * Brings the index up to date and says true, or says false at once while a first build over a
   * large replica is under way (the caller then searches without it).
   */
  async upToDate(): Promise<boolean> {
    await this.load();
    if (this.building) return false;
    // Nothing written since the last read: skip the read of the changes (one query less per search).
    if (this.dirty || this.running) await this.catchUp();
    return true;
  }

  /** Indexes the requests written since the last call; one pass at a time, another after it if asked meanwhile. */
  catchUp(): Promise<void> {
    this.again = true;
    this.running ??= this.drain();
    return this.running;
  }

  private async drain(): Promise<void> {
    try {
      await this.load();
      while (this.again) {
        this.again = false;
        this.dirty = false;
        await this.readChanges();
      }
      this.building = false;
    } finally {
      // In the same turn as the last look at `again`: a later call starts a new pass.
      this.running = null;
    }
  }

  private get store() {
    return this.words.storageInstance;
  }

  stop(): void {
    this.unsubscribe();
  }

  private load(): Promise<void> {
    this.loading ??= (async () => {
      const [saved] = await this.store.findDocumentsById([CHECKPOINT_ID], false);
      this.saved = saved;
      if (saved?.w && saved.lwt !== undefined) this.checkpoint = { id: saved.w, lwt: saved.lwt };
      else this.building = (await this.requests.count().exec()) > this.longBuild;
    })();
    return this.loading;
  }

  private async readChanges(): Promise<void> {
    for (;;) {
      const { documents } = await this.requests.storageInstance.query(
        changesQuery("id", this.checkpoint, CHUNK) as never,
      );
      if (documents.length === 0) return;
      await this.apply(documents as RxDocumentData<GuichetRequest>[]);
      const last = documents[documents.length - 1] as RxDocumentData<GuichetRequest>;
      this.checkpoint = { id: last.id, lwt: last._meta.lwt };
      await this.write([
        { document: { id: CHECKPOINT_ID, w: last.id, lwt: last._meta.lwt }, previous: this.saved },
      ]);
      [this.saved] = await this.store.findDocumentsById([CHECKPOINT_ID], false);
      if (documents.length < CHUNK) return;
    }
  }

  /**
   * Writes the entries that changed for these requests (most changes touch neither name nor
   * subject). Straight to storage: no document objects, no query cache that could answer from before.
   */
  private async apply(docs: RxDocumentData<GuichetRequest>[]): Promise<void> {
    const before = new Map(
      (
        await this.store.findDocumentsById(
          docs.map((d) => `r:${d.id}`),
          false,
        )
      ).map((d) => [d.id, d]),
    );
    const removed: string[] = [];
    const rows: Row[] = [];
    for (const doc of docs) {
      const previous = before.get(`r:${doc.id}`);
      const old = previous?.w?.split(" ").filter(Boolean) ?? [];
      const now = doc._deleted ? [] : wordEntries(doc);
      if (old.join(" ") === now.join(" ")) continue;
      const keep = new Set(now);
      for (const e of old) if (!keep.has(e)) removed.push(`${e} ${doc.id}`);
      const had = new Set(old);
      for (const e of now) if (!had.has(e)) rows.push({ document: { id: `${e} ${doc.id}` } });
      rows.push({ document: { id: `r:${doc.id}`, w: now.join(" ") }, previous, deleted: now.length === 0 });
    }
    const gone = removed.length > 0 ? await this.store.findDocumentsById(removed, false) : [];
    for (const g of gone) rows.push({ document: { id: g.id }, previous: g, deleted: true });
    await this.write(rows);
  }

  private async write(rows: Row[]): Promise<void> {
    if (rows.length === 0) return;
    const res = await this.store.bulkWrite(
      rows.map((r) => ({
        document: { ...r.document, _deleted: r.deleted === true, _attachments: {} } as never,
        ...(r.previous ? { previous: r.previous } : {}),
      })),
      "word-index",
    );
    // An entry already there (the same requests read again after a crash) is what we wanted.
    const failed = res.error.filter((e) => !(e.status === 409 && !e.writeRow.previous));
    if (failed.length > 0) throw new Error(`Index de recherche : ${failed.length} écritures refusées`);
  }

  /**
   * Ids of the requests with, for every word given, an entry of this kind starting with it, in the
   * longest word's (entry, id) order (the lead), at most `limit`, among the lead's first 5,000
   * entries. Keys only: the lead's entries are read a page at a time, sized by the share of the
   * last page that matched; each other word is checked on the same stretch of its own entries,
   * which hold the same ids in the same order when the word is one full word (`t:public <id>`).
   * A word typed as the start of several words ("pub": public, publique) is checked on each
   * candidate's own entry list (`r:<id>`), as are candidates past a stretch read in part.
   */
  async findIds(kind: WordKind, words: readonly string[], limit: number): Promise<string[]> {
    const [lead, ...rest] = [...new Set(words)].sort((a, b) => b.length - a.length);
    if (!lead) return [];
    if (rest.length === 0) return (await this.idsStartingWith(kind, lead, limit + 10)).slice(0, limit);
    const raw = await this.raw();
    // Every entry of the lead starts with a word that the lead itself starts with.
    const checks = Promise.all(
      rest.filter((w) => !lead.startsWith(w)).map((w) => otherWord(raw, `${kind}:${w}`)),
    );
    const found: string[] = [];
    const seen = new Set<string>();
    const range = wordRange(`${kind}:${lead}`);
    let read = 0;
    let size = limit + 10;
    while (found.length < limit && read < MAX_ENTRIES) {
      const want = Math.min(size, MAX_ENTRIES - read);
      // The first page is read while the other words' ranges are looked at.
      const [keys, others] = await Promise.all([raw.ids(range, want), checks]);
      if (others.some((o) => o === null)) return [];
      read += keys.length;
      const fresh = keys.filter((k) => !seen.has(requestOf(k)) && seen.add(requestOf(k)));
      const hits = await this.withEvery(raw, fresh, others as OtherWord[]);
      found.push(...hits.slice(0, limit - found.length));
      if (keys.length < want) break;
      range.from = keys[keys.length - 1]!;
      range.fromOpen = true;
      size = nextPage(limit - found.length, hits.length, fresh.length);
    }
    return found;
  }

  /** The candidates (lead entries, in order) that have every other word, as request ids. */
  private async withEvery(raw: RawReads, entries: string[], others: OtherWord[]): Promise<string[]> {
    const open = new Set(entries.map(requestOf));
    const unsure = new Map<string, string[]>();
    await Promise.all(
      others.map(async (o) => {
        const seen = o.word === null ? null : await idsInStretches(raw, o.word, entries);
        for (const e of entries) {
          const id = requestOf(e);
          const v = seen?.get(id);
          if (v === false) open.delete(id);
          else if (v === undefined) unsure.set(id, [...(unsure.get(id) ?? []), o.prefix]);
        }
      }),
    );
    const ask = [...unsure.keys()].filter((id) => open.has(id));
    if (ask.length > 0) {
      const lists = await raw.documents<SearchWord>(ask.map((id) => `r:${id}`));
      const byId = new Map(lists.map((d) => [d.id.slice(2), d.w?.split(" ") ?? []]));
      for (const id of ask) {
        const own = byId.get(id) ?? [];
        if (!unsure.get(id)!.every((p) => own.some((e) => e.startsWith(p)))) open.delete(id);
      }
    }
    return [...open];
  }

  /**
   * Ids of the requests with an entry of this kind starting with `prefix`, in (entry, id) order, at
   * most `limit`: one range of the primary key, keys only.
   */
  async idsStartingWith(kind: WordKind, prefix: string, limit: number): Promise<string[]> {
    const raw = await this.raw();
    return [...new Set((await raw.ids(wordRange(`${kind}:${prefix}`), limit)).map(requestOf))];
  }

  private raw(): Promise<RawReads> {
    return RawReads.of(this.store);
  }
}

/** Entries starting with `start`: the word's range of the primary key. */
const wordRange = (start: string): KeyRange => ({ from: start, to: `${start}\uffff` });
/** The word of an entry (`t:public` in `t:public ZA00008D`). */
const wordOf = (entry: string) => entry.slice(0, entry.lastIndexOf(" "));

/** A word to check: its prefix (`t:pub`) and, when every entry of its range has the same word, that word. */
type OtherWord = { prefix: string; word: string | null };

/** Null when no request has the word: then no request has every word. */
async function otherWord(raw: RawReads, prefix: string): Promise<OtherWord | null> {
  const range = wordRange(prefix);
  const [[first], last] = await Promise.all([raw.ids(range, 1), raw.lastId(range)]);
  if (first === undefined || last === undefined) return null;
  const word = wordOf(first);
  return { prefix, word: wordOf(last) === word ? word : null };
}

/**
 * For the candidates (lead entries, grouped by their word, ids ascending in each group): true or
 * false when `word`'s own entries over the same ids were read, absent past a stretch read in part.
 */
async function idsInStretches(raw: RawReads, word: string, entries: string[]): Promise<Map<string, boolean>> {
  const out = new Map<string, boolean>();
  const groups: string[][] = [];
  for (const e of entries) {
    const last = groups[groups.length - 1];
    if (last && wordOf(last[0]!) === wordOf(e)) last.push(e);
    else groups.push([e]);
  }
  await Promise.all(
    groups.map(async (g) => {
      const ids = g.map(requestOf);
      const cap = STRETCH_FACTOR * ids.length + 20;
      const keys = await raw.ids(
        { from: `${word} ${ids[0]}`, fromOpen: false, to: `${word} ${ids[ids.length - 1]}`, toOpen: false },
        cap,
      );
      const has = new Set(keys.map(requestOf));
      // Read in part: ids past the last one read are not known here.
      const upTo = keys.length < cap ? null : requestOf(keys[keys.length - 1]!);
      for (const id of ids) if (upTo === null || id <= upTo) out.set(id, has.has(id));
    }),
  );
  return out;
}

/** The next page of lead entries: enough for what is missing at the last page's rate, within bounds. */
function nextPage(missing: number, hits: number, candidates: number): number {
  const rate = Math.max(hits / Math.max(candidates, 1), 0.1);
  return Math.min(MAX_PAGE, Math.max(MIN_PAGE, Math.ceil((missing / rate) * 1.25) + 10));
}
