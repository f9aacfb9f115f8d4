import { TRACKING_ALPHABET } from "../../domain/tracking-number";
import { type CouchDb, CouchError } from "../http/couch-db";
import { reserveBlock } from "./counter";
import { RESERVED_PREFIX, WORKSTATION_COUNTER_ID, workstationDocId } from "./server-codes";

const BASE = TRACKING_ALPHABET.length;
/** Codes start at "100": a code that looks like a small number is easy to misread as one. */
const FIRST_INDEX = BASE * BASE;
const LAST_INDEX = BASE ** 3 - 1;

export function codeAt(index: number): string {
  let rest = index;
  let code = "";
  for (let i = 0; i < 3; i++) {
    code = TRACKING_ALPHABET.charAt(rest % BASE) + code;
    rest = Math.floor(rest / BASE);
  }
  return code;
}

export type WorkstationRecord = {
  _id: string;
  type: "workstation";
  code: string;
  name: string;
  createdBy: string;
  createdAt: string;
};

/**
 * A new, never used workstation code: the next index of a counter (optimistic concurrency, so
 * two servers cannot hand out the same one), then a create-only record of who asked, when and for
 * which machine. A crash between the two burns a code, which is harmless: codes are never reused.
 */
export async function allocateWorkstationCode(
  db: CouchDb,
  who: { name: string; by: string; at: string },
): Promise<WorkstationRecord> {
  for (;;) {
    const index = await reserveBlock(db, WORKSTATION_COUNTER_ID, 1, FIRST_INDEX);
    if (index > LAST_INDEX) throw new Error("Plus aucun code de poste disponible.");
    const code = codeAt(index);
    if (code.startsWith(RESERVED_PREFIX)) continue;
    const record: WorkstationRecord = {
      _id: workstationDocId(code),
      type: "workstation",
      code,
      name: who.name,
      createdBy: who.by,
      createdAt: who.at,
    };
    try {
      await db.put(record);
      return record;
    } catch (e) {
      // Recorded by other means already (an import, a manual entry): never hand it out again.
      if (e instanceof CouchError && e.status === 409) continue;
      throw e;
    }
  }
}
