import type { PreparedQuery, RxChangeEventBulk, RxCollection } from "rxdb";
import type { GuichetRequest } from "../../domain/request";
import { type ContactLogInput, type StatsRow, statsRow } from "../../domain/statistics";
import { changesQuery } from "./changes-query";
import type { QuickAnswer } from "./local-collections";
import type { LocalData } from "./local-database";
import {
  type Checkpoint,
  type Flat,
  idbSnapshotStore,
  packRows,
  type RowCodec,
  type SnapshotStore,
  unpackRows,
} from "./row-snapshot";

/** Bumped whenever what a row holds changes: older snapshots are then ignored. */
const SNAPSHOT_FORMAT = 2;

export type RowSourceOptions<Row extends Flat> = {
  /** How a row is stored in the snapshot. */
  codec: RowCodec<Row>;
  /** Where to keep a copy of the rows between sessions; none: every session reads everything once. */
  store?: SnapshotStore;
  /** Documents per storage read. */
  chunk?: number;
  /** Pause after a change before telling the listeners: a burst of replicated documents is told once. */
  delayMs?: number;
  /** Pause after the last change before saving the snapshot. */
  saveDelayMs?: number;
  /** Longest time changes stay unsaved while they keep coming (a long initial pull). */
  saveMaxWaitMs?: number;
};

type Bulk<Doc> = RxChangeEventBulk<Doc>;

const after = (a: Checkpoint, b: Checkpoint | null): boolean =>
  b === null || a.lwt > b.lwt || (a.lwt === b.lwt && a.id > b.id);

/**
 * The dashboard's view of a collection: every document reduced to a small row. The first load
 * reads RxDB's own "changed since" order (by last write, the replication's checkpoint): from a
 * saved snapshot's checkpoint when there is one, from the start otherwise. After that the rows
 * follow the collection's write events, which carry each written document: a write (local, or a
 * pulled batch of the replication) costs its rows, never a read of storage. So rows kept from the
 * first pull onwards, and saved with their checkpoint, spare every later session the full read of
 * 100,000 requests.
 */
export class RowSource<Doc, Row extends Flat> {
  // Rows in an array (what the figures read, with no copy) and their ids beside them; the id → position
  // index is built only when a change has to be applied (a restored session often has none).
  private ids: string[] = [];
  private list: Row[] = [];
  private index: Map<string, number> | null = new Map();
  private checkpoint: Checkpoint | null = null;
  private listeners = new Set<() => void>();
  private loading: Promise<void> | null = null;
  /** Write events seen during the first load, applied after it (in order). */
  private buffered: Bulk<Doc>[] | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private unsavedSince: number | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly chunk: number;
  private readonly delayMs: number;
  private readonly saveDelayMs: number;
  private readonly saveMaxWaitMs: number;
  /** Bumped whenever the rows change; what React compares. */
  version = 0;
  loaded = false;
  /** How the last load started: from a snapshot, or reading every document. */
  lastLoad: { fromSnapshot: boolean; read: number } = { fromSnapshot: false, read: 0 };

  constructor(
    private readonly collection: RxCollection<Doc>,
    private readonly toRow: (doc: Doc) => Row,
    private readonly options: RowSourceOptions<Row>,
  ) {
    this.chunk = options.chunk ?? 5_000;
    this.delayMs = options.delayMs ?? 150;
    this.saveDelayMs = options.saveDelayMs ?? 2_000;
    this.saveMaxWaitMs = options.saveMaxWaitMs ?? 60_000;
  }

  /** Reads the rows once (later calls share the first read), then follows every change. */
  load(): Promise<void> {
    this.loading ??= this.firstLoad().catch((e: unknown) => {
      this.stop();
      this.loading = null;
      throw e;
    });
    return this.loading;
  }

  /** The rows as they are now (read it again after `version` changes). */
  current(): readonly Row[] {
    return this.list;
  }

  get size(): number {
    return this.list.length;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getVersion = (): number => this.version;

  /** Forgets the rows in memory (benchmarks, tests); the saved snapshot stays unless told. */
  async reset(): Promise<void> {
    await this.loading?.catch(() => undefined);
    this.stop();
    this.clear();
    this.loading = null;
    this.loaded = false;
    this.version++;
  }

  /** Saves the rows now (instead of after the pause); resolves once written. */
  async save(): Promise<void> {
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    const store = this.options.store;
    if (!store || !this.loaded) return;
    this.unsavedSince = null;
    const token = await this.token();
    // A replica closed or removed (logout, revoked workstation wiped) keeps no rows: writing them
    // now would create the snapshot database again after the wipe.
    if (this.collection.closed) return;
    await store.write(this.key(), {
      format: SNAPSHOT_FORMAT,
      token,
      checkpoint: this.checkpoint,
      packed: packRows(this.ids, this.list, this.options.codec),
    });
  }

  private key(): string {
    return `${this.collection.database.name}/${this.collection.name}`;
  }

  // Unique to this replica's creation: a snapshot of a replica since deleted and recreated is not its own.
  private token(): Promise<string> {
    return this.collection.database.storageToken;
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.buffered = null;
    clearTimeout(this.timer);
    clearTimeout(this.saveTimer);
    this.timer = this.saveTimer = undefined;
    this.unsavedSince = null;
  }

  private async firstLoad(): Promise<void> {
    // Writes during the first read are kept and applied after it, in order: the read may have seen
    // some of them already, and applying a write again gives the same row.
    this.buffered = [];
    const sub = this.collection.eventBulks$.subscribe((bulk) => this.onBulk(bulk as Bulk<Doc>));
    this.unsubscribe = () => sub.unsubscribe();
    const fromSnapshot = await this.restore();
    let read = await this.readChanges();
    if (fromSnapshot && !(await this.addsUp())) {
      // Something the changes cannot tell (a purged deletion, say): start again from scratch.
      this.clear();
      read = await this.readChanges();
    }
    this.applyBuffered();
    this.lastLoad = { fromSnapshot, read };
    this.loaded = true;
    this.version++;
    this.emit();
    if (read > 0) this.scheduleSave();
  }

  /** Whether the rows match the collection's count (writes still arriving get one more read). */
  private async addsUp(): Promise<boolean> {
    for (let attempt = 0; attempt < 2; attempt++) {
      this.applyBuffered();
      this.buffered = [];
      if (this.list.length === (await this.collection.count().exec())) return true;
      await this.readChanges();
    }
    return false;
  }

  private applyBuffered(): void {
    const pending = this.buffered ?? [];
    this.buffered = null;
    for (const bulk of pending) this.apply(bulk);
  }

  private onBulk(bulk: Bulk<Doc>): void {
    if (bulk.isLocal) return;
    if (this.buffered) {
      this.buffered.push(bulk);
      return;
    }
    if (!this.loaded) return;
    this.apply(bulk);
    this.scheduleEmit();
    this.scheduleSave();
  }

  /** One write's documents into the rows; the checkpoint moves to the latest write seen. */
  private apply(bulk: Bulk<Doc>): void {
    const primary = this.collection.schema.primaryPath as string;
    for (const event of bulk.events) {
      const doc = event.documentData;
      const id = (doc as Record<string, string>)[primary]!;
      if (event.operation === "DELETE" || doc._deleted) this.remove(id);
      else this.put(id, this.toRow(doc as Doc));
    }
    const cp = bulk.checkpoint as Checkpoint | undefined;
    if (cp && after(cp, this.checkpoint)) this.checkpoint = { lwt: cp.lwt, id: cp.id };
  }

  private async restore(): Promise<boolean> {
    const store = this.options.store;
    if (!store) return false;
    try {
      const saved = await store.read(this.key());
      if (!saved || saved.format !== SNAPSHOT_FORMAT || saved.token !== (await this.token())) return false;
      const rows = unpackRows(saved.packed, this.options.codec);
      if (!rows) return false;
      this.ids = rows.ids;
      this.list = rows.rows;
      this.index = null;
      this.checkpoint = saved.checkpoint;
      return true;
    } catch {
      // A cache: unreadable means absent.
      return false;
    }
  }

  /** Reads every document written since the checkpoint into the rows; returns how many. */
  private async readChanges(): Promise<number> {
    const primary = this.collection.schema.primaryPath as string;
    let count = 0;
    for (;;) {
      const { documents } = await this.collection.storageInstance.query(
        changesQuery(primary, this.checkpoint, this.chunk) as PreparedQuery<Doc>,
      );
      for (const doc of documents) {
        const id = (doc as Record<string, string>)[primary]!;
        if (doc._deleted) this.remove(id);
        else this.put(id, this.toRow(doc as Doc));
      }
      count += documents.length;
      const last = documents[documents.length - 1];
      if (last) {
        const cp = { lwt: last._meta.lwt, id: (last as Record<string, string>)[primary]! };
        if (after(cp, this.checkpoint)) this.checkpoint = cp;
      }
      if (documents.length < this.chunk) return count;
    }
  }

  private clear(): void {
    this.ids = [];
    this.list = [];
    this.index = new Map();
    this.checkpoint = null;
  }

  private position(id: string): number | undefined {
    if (!this.index) {
      this.index = new Map();
      for (let i = 0; i < this.ids.length; i++) this.index.set(this.ids[i]!, i);
    }
    return this.index.get(id);
  }

  private put(id: string, row: Row): void {
    const i = this.position(id);
    if (i !== undefined) {
      this.list[i] = row;
      return;
    }
    this.index!.set(id, this.list.length);
    this.ids.push(id);
    this.list.push(row);
  }

  /** Moves the last row into the hole: positions need not follow any order. */
  private remove(id: string): void {
    const i = this.position(id);
    if (i === undefined) return;
    const last = this.list.length - 1;
    this.list[i] = this.list[last]!;
    this.ids[i] = this.ids[last]!;
    this.index!.set(this.ids[i]!, i);
    this.list.pop();
    this.ids.pop();
    this.index!.delete(id);
  }

  private scheduleEmit(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.version++;
      this.emit();
    }, this.delayMs);
  }

  /** After a pause with no change, or at the latest `saveMaxWaitMs` after the first unsaved one. */
  private scheduleSave(): void {
    if (!this.options.store) return;
    const now = Date.now();
    this.unsavedSince ??= now;
    const wait = Math.min(this.saveDelayMs, Math.max(0, this.unsavedSince + this.saveMaxWaitMs - now));
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.save().catch(() => undefined), wait);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}

export { changesQuery };

const text = (v: string | boolean): string => (typeof v === "string" ? v : "");
const flag = (v: string | boolean): boolean => v === true;

export const STATS_CODEC: RowCodec<StatsRow> = {
  fields: [
    "receivedOn",
    "channel",
    "demarche",
    "service",
    "assignee",
    "open",
    "dueOn",
    "hasDeadline",
    "implicitDecided",
    "answeredOn",
  ],
  build: (c) => ({
    receivedOn: text(c(0)),
    channel: text(c(1)),
    demarche: text(c(2)),
    service: text(c(3)),
    assignee: text(c(4)),
    open: flag(c(5)),
    dueOn: text(c(6)),
    hasDeadline: flag(c(7)),
    implicitDecided: flag(c(8)),
    answeredOn: text(c(9)),
  }),
};

export const LOG_CODEC: RowCodec<ContactLogInput> = {
  fields: ["at", "channel", "reason", "by"],
  build: (c) => ({ at: text(c(0)), channel: text(c(1)), reason: text(c(2)), by: text(c(3)) }),
};

export type DashboardSources = {
  requests: RowSource<GuichetRequest, StatsRow>;
  quickAnswers: RowSource<QuickAnswer, ContactLogInput>;
};

// One per open replica, for the app's lifetime: leaving the dashboard and coming back costs nothing.
const sources = new WeakMap<LocalData, DashboardSources>();

export function dashboardSources(
  data: LocalData,
  store: SnapshotStore = idbSnapshotStore(),
): DashboardSources {
  let s = sources.get(data);
  if (!s) {
    s = {
      requests: new RowSource(data.db.requests, statsRow, { codec: STATS_CODEC, store }),
      quickAnswers: new RowSource(
        data.local.quick_answers,
        (q) => ({ at: q.at, channel: q.channel, reason: q.reason, by: q.by }),
        { codec: LOG_CODEC, store },
      ),
    };
    sources.set(data, s);
  }
  return s;
}
