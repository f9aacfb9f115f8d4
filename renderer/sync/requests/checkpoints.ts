/** A position in one database's `_changes` feed: opaque on CouchDB 3, a number on PouchDB Server. */
export type Seq = string | number;

/** `seq`: the main database; `sensitive`: each sensitive database held, by service. */
export type Checkpoint = { seq: Seq; sensitive?: Record<string, Seq> };

/** The main database is the "" key, a sensitive one its service id. */
export function seqOf(cp: Checkpoint | undefined, key: string): Seq {
  return (key === "" ? cp?.seq : cp?.sensitive?.[key]) ?? 0;
}

/** The checkpoint moved on for one database, the others' positions kept. */
export function withSeq(cp: Checkpoint | undefined, key: string, seq: Seq): Checkpoint {
  return key === "" ? { ...cp, seq } : { seq: cp?.seq ?? 0, sensitive: { ...cp?.sensitive, [key]: seq } };
}
