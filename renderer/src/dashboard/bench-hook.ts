import { CHANNELS } from "../../../domain/channels";
import { parisDate } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { computeStatistics, type StatsOptions } from "../../../domain/statistics";
import type { QuickAnswer } from "../../db/local-collections";
import type { LocalData } from "../../db/local-database";
import { dashboardSources } from "../../db/stats-source";
import { QUICK_REASONS } from "../i18n/fr";
import type { BenchWorkstation } from "../shared/bench-fields";
import { AGENTS, DAY, seedRequest } from "./bench-requests";

/**
 * Bench builds only (vite --mode bench; the dashboard imports this behind
 * `import.meta.env.MODE === "bench"`): seeds a year of requests with their histories (assigned,
 * in progress, answered, closed) and immediate answers, and times the dashboard's read and
 * computation from inside the page next to raw IndexedDB floors. window.__guichetDashboard.
 */
type Ws = BenchWorkstation;

const QUICK_CHANNELS = CHANNELS.filter((c) => c !== "en_ligne");

function rawStore(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function timed(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export function installDashboardBenchHook(data: LocalData): void {
  const w = window as unknown as { __guichetDashboard?: unknown };
  if (w.__guichetDashboard) return;
  const sources = dashboardSources(data);
  let raw: IDBDatabase | null = null;
  const requestsStore = async () => {
    raw ??= await rawStore(`rxdb-dexie-${data.db.name}--0--requests`);
    return raw;
  };

  const clearSnapshots = async () => {
    const db = await rawStore("guichet-dashboard");
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction("snapshots", "readwrite");
      tx.objectStore("snapshots").clear();
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
    db.close();
  };

  /** Forgets the rows in memory; `snapshot: false` also drops the saved copy (first opening ever). */
  const reset = async (opts: { snapshot: boolean } = { snapshot: true }): Promise<void> => {
    await sources.requests.reset();
    await sources.quickAnswers.reset();
    if (!opts.snapshot) await clearSnapshots();
  };

  w.__guichetDashboard = {
    async seed(total: number, batch: number, quick: number, ws: Ws): Promise<number> {
      const now = Date.now();
      const t0 = performance.now();
      for (let start = 0; start < total; start += batch) {
        const docs: GuichetRequest[] = [];
        for (let i = start; i < Math.min(total, start + batch); i++) docs.push(seedRequest(i, ws, now));
        await data.repo.bulkInsert(docs);
      }
      const logs: QuickAnswer[] = [];
      for (let i = 0; i < quick; i++) {
        const at = new Date(now - (i % 400) * DAY - (i % 613) * 60_000).toISOString();
        logs.push({
          id: `bench-${i}`,
          at,
          day: parisDate(at),
          by: AGENTS[i % AGENTS.length]!,
          workstation: ws.code,
          channel: QUICK_CHANNELS[i % QUICK_CHANNELS.length]!,
          reason: QUICK_REASONS[i % QUICK_REASONS.length]!,
        });
      }
      for (let s = 0; s < logs.length; s += batch)
        await data.local.quick_answers.bulkInsert(logs.slice(s, s + batch));
      return performance.now() - t0;
    },
    async count(): Promise<{ requests: number; quick: number }> {
      return {
        requests: await data.db.requests.count().exec(),
        quick: await data.local.quick_answers.count().exec(),
      };
    },
    reset,
    /** Saves the snapshots now; returns the time taken. */
    async timeSave(): Promise<number> {
      return timed(() => Promise.all([sources.requests.save(), sources.quickAnswers.save()]));
    },
    /**
     * (a) The dashboard's own read into its rows: with `snapshot`, a later session (saved rows plus
     * the changes since); without, the first opening on this workstation (every document).
     */
    async timeRead(snapshot: boolean): Promise<{ requests: number; quick: number; fromSnapshot: boolean }> {
      await reset({ snapshot });
      const requests = await timed(() => sources.requests.load());
      const quick = await timed(() => sources.quickAnswers.load());
      return { requests, quick, fromSnapshot: sources.requests.lastLoad.fromSnapshot };
    },
    /** The usual RxDB read of everything (RxDocuments, then plain objects), for comparison. */
    async timeFindExec(): Promise<number> {
      // RxDB answers a repeated query from its cache: clear it so storage is read each time.
      (
        data.db.requests as unknown as { _queryCache: { _map: Map<string, unknown> } }
      )._queryCache._map.clear();
      return timed(async () => {
        const docs = await data.db.requests.find().exec();
        let n = 0;
        for (const d of docs) n += (d.toJSON() as GuichetRequest).open ? 1 : 0;
        return n;
      });
    },
    /** (b) The figures, from the rows in memory. */
    timeCompute(opts: StatsOptions): number {
      const t0 = performance.now();
      computeStatistics(sources.requests.current(), sources.quickAnswers.current(), opts);
      return performance.now() - t0;
    },
    /** Floor: a raw IndexedDB cursor over the same documents, each one deserialised. */
    async floorCursor(): Promise<number> {
      const db = await requestsStore();
      return timed(
        () =>
          new Promise<number>((resolve, reject) => {
            const req = db.transaction("docs", "readonly").objectStore("docs").openCursor();
            let n = 0;
            req.onsuccess = () => {
              const c = req.result;
              if (!c) return resolve(n);
              if ((c.value as { _deleted: string })._deleted === "0") n++;
              c.continue();
            };
            req.onerror = () => reject(req.error);
          }),
      );
    },
    /** Floor: raw IndexedDB getAll, 10,000 documents per call. */
    async floorGetAll(): Promise<number> {
      const db = await requestsStore();
      return timed(async () => {
        let after: IDBValidKey | null = null;
        for (;;) {
          const batch: unknown[] = await new Promise((resolve, reject) => {
            const range = after === null ? null : IDBKeyRange.lowerBound(after, true);
            const req = db.transaction("docs", "readonly").objectStore("docs").getAll(range, 10_000);
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
          });
          if (batch.length < 10_000) return;
          after = (batch[batch.length - 1] as { id: string }).id;
        }
      });
    },
  };
}
