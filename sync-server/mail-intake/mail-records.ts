import { createHash } from "node:crypto";
import { type CouchDb, CouchError } from "../couch/couch-db";

/**
 * One record per message the email door has seen, in the server's own database, keyed by the
 * Message-ID (else by the bytes): what makes a restart between « request stored » and « message
 * moved » harmless. `claimed` holds the tracking number before the request is written, so a
 * second attempt writes the same request (409: already there) instead of a new one.
 */
export type MailRecordState = "claimed" | "stored" | "joined" | "check" | "dismissed";

export type MailRecord = {
  _id: string;
  _rev?: string;
  type: "mailin";
  state: MailRecordState;
  messageId: string;
  from: string;
  subject: string;
  receivedAt: string;
  createdAt: string;
  tracking?: string;
  /** Why an agent must look at it (state `check`), in French. */
  reason?: string;
  /** The start of the text, for the « à vérifier » list (never the HTML). */
  excerpt?: string;
  dismissedBy?: string;
  dismissedAt?: string;
  /** When retention removed the sender, subject, Message-ID and excerpt (mail-retention.ts). */
  scrubbedAt?: string;
};

export const mailRecordId = (key: string): string =>
  `mailin:${createHash("sha256").update(key).digest("hex").slice(0, 40)}`;

export class MailRecords {
  constructor(private readonly db: CouchDb) {}

  get(id: string): Promise<MailRecord | null> {
    return this.db.get<MailRecord>(id);
  }

  /** Creates the record, or returns the one someone wrote first (create-only: 409 → read it). */
  async create(rec: MailRecord): Promise<MailRecord> {
    try {
      const res = await this.db.put(rec);
      return { ...rec, _rev: res.rev };
    } catch (e) {
      if (!(e instanceof CouchError && e.status === 409)) throw e;
      const existing = await this.db.get<MailRecord>(rec._id);
      if (!existing) throw e;
      return existing;
    }
  }

  async update(rec: MailRecord, change: Partial<MailRecord>): Promise<MailRecord> {
    const next = { ...rec, ...change };
    const res = await this.db.put(next);
    return { ...next, _rev: res.rev };
  }

  /** Records still holding personal data, received before `receivedBefore` (ISO instant). */
  async unscrubbed(o: { filed: boolean; receivedBefore: string }): Promise<MailRecord[]> {
    const out: MailRecord[] = [];
    for (let skip = 0; ; skip += 1000) {
      const res = await this.db.find<MailRecord>({
        selector: {
          type: "mailin",
          scrubbedAt: { $exists: false },
          receivedAt: { $lte: o.receivedBefore },
          tracking: { $exists: o.filed },
        },
        limit: 1000,
        skip,
      });
      out.push(...res.docs);
      if (res.docs.length < 1000) return out;
    }
  }

  /** Keeps the key, state, dates and tracking number; the rest was the citizen's. */
  async scrub(rec: MailRecord, at: string): Promise<void> {
    const { excerpt: _e, dismissedBy: _d, ...kept } = rec;
    await this.db.put({
      ...kept,
      from: "",
      subject: "",
      messageId: "",
      ...(rec.reason ? { reason: "Données effacées (durée de conservation atteinte)." } : {}),
      scrubbedAt: at,
    });
  }

  /** Messages waiting for an agent, oldest first. */
  async toCheck(limit = 500): Promise<MailRecord[]> {
    const res = await this.db.find<MailRecord>({
      selector: { type: "mailin", state: "check", scrubbedAt: { $exists: false } },
      limit: 10_000,
    });
    return res.docs.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1)).slice(0, limit);
  }
}
