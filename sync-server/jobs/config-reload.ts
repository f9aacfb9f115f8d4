import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { CouchDb } from "../couch/couch-db";
import type { FeedReaction } from "./feed-runner";

type Stored = { commune?: Commune | null; catalogue?: Catalogue | null };

/** Settings and catalogue edited by an admin take effect without a restart: read again on any change. */
export function configReload(o: {
  configDb: CouchDb;
  /** Reads the stored settings and catalogue (as the admin). */
  read: () => Promise<Stored>;
  apply: (stored: Stored) => void;
}): FeedReaction<unknown> {
  return {
    databases: [o.configDb.name],
    checkpointId: () => "guichet-config-reload",
    db: () => o.configDb,
    onDocs: async () => o.apply(await o.read()),
  };
}
