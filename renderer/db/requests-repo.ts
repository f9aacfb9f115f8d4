import type { Observable } from "rxjs";
import { withEvents } from "../../domain/history";
import { type GuichetRequest, type RequestEvent, requestSchema } from "../../domain/request";
import { type GuichetDatabase, withoutRxFields } from "./database";
import { syncLedger } from "./sync-ledger";

/**
 * Every local write to a request goes through here: validated with the domain's zod schema
 * first (a document the server would refuse is caught before it is saved), then stored with
 * a pending marker (sync-ledger.ts) that the replication removes once the server holds that exact state.
 */
export class RequestValidationError extends Error {
  constructor(readonly issues: { field: string; message: string }[]) {
    super(issues.map((i) => `${i.field} : ${i.message}`).join(" ; "));
  }
}

function validate(doc: GuichetRequest): GuichetRequest {
  const parsed = requestSchema.safeParse(withoutRxFields(doc));
  if (!parsed.success) {
    throw new RequestValidationError(
      parsed.error.issues.map((i) => ({ field: i.path.join("."), message: i.message })),
    );
  }
  return parsed.data;
}

export function requestsRepo(db: GuichetDatabase) {
  async function markPending(doc: GuichetRequest): Promise<void> {
    await (await syncLedger(db)).markPending([doc.id]);
  }

  return {
    /** Ticks on every change to the requests, local or replicated. */
    changes$: db.requests.$ as Observable<unknown>,

    async insert(doc: GuichetRequest): Promise<GuichetRequest> {
      const valid = validate(doc);
      await db.requests.insert(valid);
      await markPending(valid);
      return valid;
    },

    /** Many at once (imports, benchmarks): one storage write for the requests, one for the markers. */
    async bulkInsert(docs: GuichetRequest[]): Promise<void> {
      const valid = docs.map(validate);
      const res = await db.requests.bulkInsert(valid);
      if (res.error.length > 0) throw new Error(`${res.error.length} demandes non enregistrées`);
      await (await syncLedger(db)).markPending(valid.map((d) => d.id));
    },

    /** Appends history events; atomic against replication writes to the same document. */
    async addEvents(id: string, events: RequestEvent[]): Promise<GuichetRequest> {
      const doc = await db.requests.findOne(id).exec();
      if (!doc) throw new Error(`Demande ${id} introuvable sur ce poste.`);
      const updated = await doc.incrementalModify((old) => ({
        ...old,
        ...validate(withEvents(old, events)),
      }));
      const json = updated.toJSON() as GuichetRequest;
      await markPending(json);
      return json;
    },

    /** A document the server refused, corrected by an agent: saved again, pushed again. */
    async replace(doc: GuichetRequest): Promise<GuichetRequest> {
      const valid = validate(doc);
      const current = await db.requests.findOne(doc.id).exec();
      if (!current) throw new Error(`Demande ${doc.id} introuvable sur ce poste.`);
      await current.incrementalModify((old) => ({ ...old, ...valid }));
      await markPending(valid);
      return valid;
    },

    async get(id: string): Promise<GuichetRequest | null> {
      const doc = await db.requests.findOne(id).exec();
      return doc ? (doc.toJSON() as GuichetRequest) : null;
    },
  };
}
export type RequestsRepo = ReturnType<typeof requestsRepo>;
