import { createRxDatabase, type RxCollection, type RxDatabase, type RxStorage } from "rxdb";
import { deepEqual } from "rxdb/plugins/utils";
import { mergeRequests } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { type Rejection, rejectionRxSchema, requestRxSchema } from "./request-rx-schema";

export type GuichetCollections = {
  requests: RxCollection<GuichetRequest>;
  /** Local only: documents the server refused, with its reason, kept until fixed. */
  rejections: RxCollection<Rejection>;
};
export type GuichetDatabase = RxDatabase<GuichetCollections>;

/**
 * Replaces RxDB's default handler (server wins, the local edit is silently dropped):
 * both versions' events are kept, the state re-derived, deterministically on every replica.
 */
export const requestConflictHandler = {
  isEqual(a: GuichetRequest, b: GuichetRequest): boolean {
    return deepEqual(withoutRxFields(a), withoutRxFields(b));
  },
  resolve(i: { newDocumentState: GuichetRequest; realMasterState: GuichetRequest }): GuichetRequest {
    return mergeRequests(withoutRxFields(i.newDocumentState), withoutRxFields(i.realMasterState));
  },
};

/** A request without RxDB's own fields (_rev, _meta, _deleted, _attachments): storage's business, not the schema's. */
export function withoutRxFields<T extends object>(doc: T): T {
  const { _deleted, _meta, _rev, _attachments, ...rest } = doc as T & Record<string, unknown>;
  return rest as T;
}

/** The one place that owns the local database's lifetime. */
export async function createGuichetDatabase(opts: {
  name: string;
  storage: RxStorage<unknown, unknown>;
  multiInstance?: boolean;
}): Promise<GuichetDatabase> {
  const db = await createRxDatabase<GuichetCollections>({
    name: opts.name,
    storage: opts.storage,
    multiInstance: opts.multiInstance ?? false,
    eventReduce: true,
    closeDuplicates: true,
  });
  await db.addCollections({
    requests: {
      schema: requestRxSchema,
      conflictHandler: requestConflictHandler as never,
    },
    rejections: { schema: rejectionRxSchema },
  });
  return db;
}
