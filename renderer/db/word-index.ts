import { normalizeMangoQuery, prepareQuery, type RxCollection, type RxDocumentData } from "rxdb";
import { citizenKeys } from "../../domain/citizen-identity";
import { searchKey } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { changesQuery } from "./changes-query";
import type { SearchWord } from "./local-collections";
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
/** Several words: entries of the leading word read per page, at most this many pages. */
const PAGE = 200;
const MAX_PAGES = 25;
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
   * first word's (entry, id) order, at most `limit`. The longest word leads (the most selective,
   * as a rule): its range is read a page at a time, and the other words are checked on each
   * request's own entry list (`r:<id>`), never by reading their ranges, however common they are.
   */
  async findIds(kind: WordKind, words: readonly string[], limit: number): Promise<string[]> {
    const [lead, ...others] = [...new Set(words)].sort((a, b) => b.length - a.length);
    if (!lead) return [];
    if (others.length === 0) return (await this.idsStartingWith(kind, lead, limit + 10)).slice(0, limit);
    const found: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < MAX_PAGES && found.length < limit; page++) {
      const entries = await this.range(`${kind}:${lead}`, after, PAGE);
      const ids = [...new Set(entries.map(requestOf))];
      const lists = await this.store.findDocumentsById(
        ids.map((id) => `r:${id}`),
        false,
      );
      const byId = new Map(lists.map((d) => [d.id.slice(2), d.w?.split(" ") ?? []]));
      for (const id of ids) {
        const own = byId.get(id) ?? [];
        if (others.every((w) => own.some((e) => e.startsWith(`${kind}:${w}`))) && !found.includes(id))
          found.push(id);
      }
      if (entries.length < PAGE) break;
      after = entries[entries.length - 1] ?? null;
    }
    return found.slice(0, limit);
  }

  /**
   * Ids of the requests with an entry of this kind starting with `prefix`, in (entry, id) order, at
   * most `limit`: one range of the primary key, read from storage without building documents.
   */
  async idsStartingWith(kind: WordKind, prefix: string, limit: number): Promise<string[]> {
    return [...new Set((await this.range(`${kind}:${prefix}`, null, limit)).map(requestOf))];
  }

  /** Entry ids starting with `start`, after `after` (exclusive) when given. */
  private async range(start: string, after: string | null, limit: number): Promise<string[]> {
    const schema = this.words.schema.jsonSchema;
    const id = after ? { $gt: after, $lt: `${start}\uffff` } : { $gte: start, $lt: `${start}\uffff` };
    const query = prepareQuery(
      schema,
      normalizeMangoQuery(schema, {
        // Removed entries stay as tombstones in storage: RxQuery adds this, a raw query must too.
        selector: { _deleted: { $eq: false }, id } as never,
        sort: [{ id: "asc" }],
        limit,
      }),
    );
    const { documents } = await this.store.query(query);
    return documents.map((d) => d.id);
  }
}
