/**
 * A saved copy of the dashboard's rows, so that opening the dashboard after a restart reads one
 * record and the documents changed since, not the whole replica. Derived data only (no citizen
 * data: channels, démarches, services, agents' user names, days), thrown away whenever in doubt.
 *
 * Rows are packed in columns: every string once in a dictionary, each cell a number in one typed
 * array. Storing and reading 100,000 rows is then a few arrays to clone, not 100,000 objects.
 */
export type Flat = Record<string, string | boolean>;
export type Checkpoint = { id: string; lwt: number };

export type PackedRows = {
  fields: string[];
  /** The ids joined by NUL: one string clones far faster than 100,000 small ones. */
  ids: string;
  dict: string[];
  /** Row after row, one cell per field: 0 = false, 1 = true, n ≥ 2 = dict[n − 2]. */
  cells: Uint32Array;
};

const SEP = "\u0000";

/**
 * How one kind of row is stored: its fields in a fixed order, and how to build the row back from
 * its cells (an object literal of a fixed shape: far faster to make than one filled key by key).
 */
export type RowCodec<Row extends Flat> = {
  fields: readonly (keyof Row & string)[];
  build(cell: (field: number) => string | boolean): Row;
};

export function packRows<Row extends Flat>(
  ids: readonly string[],
  rows: readonly Row[],
  codec: RowCodec<Row>,
): PackedRows {
  const { fields } = codec;
  const width = fields.length;
  const dict: string[] = [];
  const codes = new Map<string, number>();
  const cells = new Uint32Array(rows.length * width);
  let i = 0;
  for (const row of rows) {
    for (const f of fields) {
      const v: string | boolean | undefined = row[f];
      if (typeof v === "boolean") {
        cells[i++] = v ? 1 : 0;
        continue;
      }
      const text = v ?? "";
      let code = codes.get(text);
      if (code === undefined) {
        code = dict.length + 2;
        dict.push(text);
        codes.set(text, code);
      }
      cells[i++] = code;
    }
  }
  return { fields: [...fields], ids: ids.join(SEP), dict, cells };
}

/** The rows back, or null when they were packed with other fields (an older version of the app). */
export function unpackRows<Row extends Flat>(
  packed: PackedRows,
  codec: RowCodec<Row>,
): { ids: string[]; rows: Row[] } | null {
  const { fields } = codec;
  if (packed.fields.length !== fields.length || packed.fields.some((f, i) => f !== fields[i])) return null;
  if (typeof packed.ids !== "string") return null;
  const width = fields.length;
  const ids = packed.ids === "" ? [] : packed.ids.split(SEP);
  if (packed.cells.length !== ids.length * width) return null;
  const { cells, dict } = packed;
  const rows: Row[] = new Array(ids.length);
  let base = 0;
  const cell = (f: number): string | boolean => {
    const c = cells[base + f]!;
    return c === 0 ? false : c === 1 ? true : dict[c - 2]!;
  };
  for (let r = 0; r < ids.length; r++) {
    rows[r] = codec.build(cell);
    base += width;
  }
  return { ids, rows };
}

export type Snapshot = { format: number; token: string; checkpoint: Checkpoint | null; packed: PackedRows };

/** Where snapshots live: one key per replica and collection. */
export type SnapshotStore = {
  read(key: string): Promise<Snapshot | undefined>;
  write(key: string, snapshot: Snapshot): Promise<void>;
};

/**
 * A small IndexedDB database of its own beside the replica's: a cache that can be dropped at any
 * time, never read by anything but the dashboard.
 */
export function idbSnapshotStore(name = "guichet-dashboard", factory: IDBFactory = indexedDB): SnapshotStore {
  let opened: Promise<IDBDatabase> | null = null;
  const open = () => {
    opened ??= new Promise((resolve, reject) => {
      const req = factory.open(name, 1);
      req.onupgradeneeded = () => req.result.createObjectStore("snapshots");
      req.onsuccess = () => {
        const db = req.result;
        // Someone deletes the database (a revoked workstation's wipe): let go at once, or the
        // deletion waits for this connection for as long as the page lives.
        db.onversionchange = () => {
          db.close();
          opened = null;
        };
        resolve(db);
      };
      req.onerror = () => reject(req.error);
    });
    return opened;
  };
  const run = <T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T> =>
    open().then(
      (db) =>
        new Promise<T>((resolve, reject) => {
          const tx = db.transaction("snapshots", mode);
          const req = fn(tx.objectStore("snapshots"));
          tx.oncomplete = () => resolve(req.result as T);
          tx.onerror = () => reject(tx.error);
          tx.onabort = () => reject(tx.error);
        }),
    );
  return {
    read: (key) => run<Snapshot | undefined>("readonly", (s) => s.get(key)),
    write: (key, snapshot) => run<void>("readwrite", (s) => s.put(snapshot, key)),
  };
}
