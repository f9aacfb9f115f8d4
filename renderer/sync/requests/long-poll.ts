import { type ChangeRow, CouchHttpError } from "../couch-client";
import type { Seq } from "./checkpoints";
import type { Source } from "./routing";

/** Sleeps that a wake() cuts short (the network is back: retry now, not after the backoff). */
export function wakeableSleep() {
  const sleepers = new Set<() => void>();
  return {
    sleep(ms: number): Promise<void> {
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(t);
          sleepers.delete(done);
          resolve();
        };
        const t = setTimeout(done, ms);
        sleepers.add(done);
      });
    },
    wake(): void {
      for (const w of [...sleepers]) w();
    },
  };
}

/** How long to wait before the next try: a refused password will not fix itself, a cut line may. */
export function nextBackoff(err: unknown, backoff: number): number {
  return err instanceof CouchHttpError && err.status === 401 ? 30_000 : Math.min(backoff * 2, 10_000);
}

/**
 * Live changes of one database: one long-poll at a time, from where this session's pull reached
 * the end of its feed (never "now": a change written between the catch-up pull's last answer and
 * a "now" long-poll would be in neither). After an outage, `resync` makes the replication catch up.
 */
export async function longPoll(
  { key, client }: Source,
  opts: {
    /** Where the pull reached the end of this feed; undefined when stopped first. */
    start(): Promise<Seq | undefined>;
    stopped(): boolean;
    signal: AbortSignal;
    limit: number;
    longpollMs: number;
    sleep(ms: number): Promise<void>;
    reachable(): void;
    failed(err: unknown): void;
    resync(): void;
    changes(key: string, rows: ChangeRow[], lastSeq: Seq): void;
  },
): Promise<void> {
  let since: unknown = await opts.start();
  let backoff = 500;
  let wasDown = false;
  while (!opts.stopped()) {
    try {
      if (wasDown) {
        // A short call first: a long-poll would only tell us the line is back after its timeout.
        await client.info();
        wasDown = false;
        backoff = 500;
        opts.reachable();
        opts.resync();
      }
      const res = await client.changes({
        since,
        limit: opts.limit,
        longpollMs: opts.longpollMs,
        signal: opts.signal,
      });
      since = res.last_seq;
      opts.reachable();
      if (res.results.length > 0) opts.changes(key, res.results, res.last_seq as Seq);
    } catch (err) {
      if (opts.stopped()) break;
      opts.failed(err);
      wasDown = true;
      await opts.sleep(backoff);
      backoff = nextBackoff(err, backoff);
    }
  }
}
