import type { CouchDb } from "../couch/couch-db";
import { type Follower, followChanges } from "./changes-feed";

/**
 * One reaction to the changes of some databases (accusés, sibling merges, configuration reload).
 * Each keeps its own position per database: reactions read the feed with different parameters
 * (the merger asks for every leaf) and through different clients (grouped or not), and a position
 * saved before this runner existed is resumed, not replayed from the start.
 */
export type FeedReaction<T> = {
  databases: readonly string[];
  /** The name of this reaction's position in `database`'s feed. */
  checkpointId(database: string): string;
  db(database: string): CouchDb;
  onDocs(database: string, docs: T[]): Promise<void>;
  /** Extra `_changes` parameters. */
  query?: Record<string, string>;
  pollGapMs?: number;
};

/** Follows every database of every reaction; positions are kept in `checkpoints` (the server database). */
export function runFeedReactions(o: {
  checkpoints: CouchDb;
  reactions: readonly FeedReaction<unknown>[];
  onError: (err: unknown) => void;
}): Follower {
  const followers = o.reactions.flatMap((reaction) =>
    reaction.databases.map((database) =>
      followChanges(reaction.db(database), {
        checkpointId: reaction.checkpointId(database),
        checkpoints: o.checkpoints,
        onDocs: (docs) => reaction.onDocs(database, docs),
        onError: o.onError,
        ...(reaction.query ? { query: reaction.query } : {}),
        ...(reaction.pollGapMs !== undefined ? { pollGapMs: reaction.pollGapMs } : {}),
      }),
    ),
  );
  return {
    async stop() {
      await Promise.all(followers.map((f) => f.stop()));
    },
  };
}
