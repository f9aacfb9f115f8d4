import { TRACKING_ALPHABET } from "../../domain/tracking-number";
import { type CouchDb, CouchError } from "../couch/couch-db";
import { HttpError } from "../http/errors";
import { RateLimiter } from "../http/rate-limit";
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
  /** SHA-256 of the secret the workstation proves itself with (workstations/registry.ts). */
  secretHash?: string;
  /** Cut off by a supervisor or an admin: refused by the gateway and the API from then on. */
  revoked?: { at: string; by: string };
};

/**
 * A new, never used workstation code: the next index of a counter (optimistic concurrency, so
 * two servers cannot hand out the same one), then a create-only record of who asked, when and for
 * which machine. A crash between the two burns a code, which is harmless: codes are never reused.
 */
export async function allocateWorkstationCode(
  db: CouchDb,
  who: { name: string; by: string; at: string; secretHash?: string },
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
      ...(who.secretHash ? { secretHash: who.secretHash } : {}),
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

const DAY_MS = 24 * 3600 * 1000;

/**
 * How many codes may be handed out per day: a commune installs a few dozen workstations, and about
 * 28,800 codes exist; at these rates, emptying them at speed would take months, not an hour.
 * In memory, per process: a restart resets the windows (a login is still needed for each code).
 */
export type CodeQuota = { perAgent: number; overall: number };
export const DEFAULT_CODE_QUOTA: CodeQuota = { perAgent: 30, overall: 200 };

export class WorkstationCodeQuota {
  private readonly perAgent: RateLimiter;
  private readonly overall: RateLimiter;

  constructor(quota: CodeQuota = DEFAULT_CODE_QUOTA, now: () => number = Date.now) {
    this.perAgent = new RateLimiter(quota.perAgent, DAY_MS, now);
    this.overall = new RateLimiter(quota.overall, DAY_MS, now);
  }

  /** Counts one code for the agent; throws a French 429 once the agent or the server is over quota. */
  take(agent: string): void {
    this.check(this.perAgent, agent, `${this.perAgent.limit} codes de poste par jour au plus pour un compte`);
    this.check(this.overall, "", `${this.overall.limit} codes de poste par jour au plus pour la commune`);
  }

  private check(limiter: RateLimiter, key: string, what: string): void {
    try {
      limiter.hit(key);
    } catch (e) {
      if (!(e instanceof HttpError) || e.status !== 429) throw e;
      const hours = Math.max(1, Math.ceil(Number(e.headers["Retry-After"]) / 3600));
      throw new HttpError(
        429,
        `Trop de codes de poste demandés (${what}). Réessayez dans ${hours} h environ, ou demandez à un administrateur.`,
        undefined,
        e.headers,
      );
    }
  }
}
