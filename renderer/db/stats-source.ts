import type { PreparedQuery, RxCollection } from "rxdb";
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
  /** Pause after a change before reading it: a burst of replicated documents is read at once. */
  delayMs?: number;
  /** Pause after the last change before saving the snapshot. */
  saveDelayMs?: number;
};

/**
 * The dashboard's view of a collection: every document reduced to a small row. The rows are
 * read with RxDB's own "changed since" read (ordered by last write, the replication's checkpoint):
 * the first time from the start, then only what changed, whether written here or replicated. So
 * a snapshot of the rows plus its checkpoint is enough to start from in the next session, and
 * 100,000 requests are read in full once per workstation, not once per dashboard opening.
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
  private reading: Promise<void> | null = null;
  private readAgain = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saveTimer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | null = null;
  private readonly chunk: number;
  private readonly delayMs: number;
  private readonly saveDelayMs: number;
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
  }

  /** Reads the rows once (later calls share the first read), then follows every change. */
  load(): Promise<void> {
    this.loading ??= this.firstLoad().catch((e: unknown) => {
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
    await this.reading;
    this.unsubscribe?.();
    this.unsubscribe = null;
    clearTimeout(this.timer);
    clearTimeout(this.saveTimer);
    this.timer = this.saveTimer = undefined;
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
    await store.write(this.key(), {
      format: SNAPSHOT_FORMAT,
      token: await this.token(),
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

  private async firstLoad(): Promise<void> {
    // Changes during the first read are read after it (the checkpoint makes that exact).
    let changedMeanwhile = false;
    const sub = this.collection.$.subscribe(() => {
      if (this.loaded) this.schedule();
      else changedMeanwhile = true;
    });
    this.unsubscribe = () => sub.unsubscribe();
    const fromSnapshot = await this.restore();
    let read = await this.readChanges();
    if (fromSnapshot && this.list.length !== (await this.collection.count().exec())) {
      // Something the changes cannot tell (a purged deletion, say): start again from scratch.
      this.clear();
      read = await this.readChanges();
    }
    this.lastLoad = { fromSnapshot, read };
    this.loaded = true;
    this.version++;
    this.emit();
    if (read > 0) this.scheduleSave();
    if (changedMeanwhile) this.schedule();
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
      if (last) this.checkpoint = { lwt: last._meta.lwt, id: (last as Record<string, string>)[primary]! };
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

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.follow();
    }, this.delayMs);
  }

  /** One read of the changes at a time; changes arriving meanwhile get one more read after it. */
  private follow(): void {
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = (async () => {
      do {
        this.readAgain = false;
        if ((await this.readChanges()) > 0) {
          this.version++;
          this.emit();
          this.scheduleSave();
        }
      } while (this.readAgain && this.unsubscribe);
    })()
      .catch(() => undefined)
      .finally(() => {
        this.reading = null;
      });
  }

  private scheduleSave(): void {
    if (!this.options.store) return;
    clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.save().catch(() => undefined), this.saveDelayMs);
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
