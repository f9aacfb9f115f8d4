import type { QueryClient } from "@tanstack/react-query";
import type { WORKSTATION_CHANNELS } from "../../domain/channels";
import type { GuichetRequest } from "../../domain/request";
import { fetchPage } from "../db/indexed-query";
import type { LocalData } from "../db/local-database";
import { planQueue } from "../db/queues";
import { findByName, findByTracking, findByWords } from "../db/search";
import { type BenchWorkstation, sampleRequest } from "./shared/bench-fields";

/**
 * Bench/test builds only (vite --mode bench; main.tsx imports this module behind
 * `import.meta.env.MODE === "bench"`, so production builds do not contain it). Seeds the replica
 * and times reads from inside the page, next to raw IndexedDB floors.
 */
const LAST = [
  "Martin",
  "Bernard",
  "Thomas",
  "Petit",
  "Robert",
  "Richard",
  "Durand",
  "Dubois",
  "Moreau",
  "Laurent",
  "Simon",
  "Michel",
  "Lefèvre",
  "Leroy",
  "Roux",
  "David",
  "Bertrand",
  "Morel",
  "Fournier",
  "Girard",
  "Bonnet",
  "Dupont",
  "Lambert",
  "Fontaine",
  "Rousseau",
  "Vincent",
  "Müller",
  "Faure",
  "André",
  "Mercier",
  "Blanc",
  "Guérin",
  "Boyer",
  "Garnier",
  "Chevalier",
  "François",
  "Legrand",
  "Gauthier",
  "García",
  "Perrin",
  "Robin",
  "Clément",
  "Morin",
  "Nicolas",
  "Henry",
  "Roussel",
  "Mathieu",
  "Gautier",
  "Masson",
  "Marchand",
];
const FIRST = [
  "Léa",
  "Hugo",
  "Chloé",
  "Louis",
  "Emma",
  "Jules",
  "Inès",
  "Gabriel",
  "Manon",
  "Arthur",
  "Jade",
  "Raphaël",
  "Louise",
  "Lucas",
  "Alice",
  "Adam",
  "Zoé",
  "Nathan",
  "Camille",
  "Éloïse",
];
const SEEDED = [
  "demande_generale",
  "aide_restauration_scolaire",
  "acte_naissance",
  "inscription_electorale",
  "signalement_voirie",
  "inscription_bibliotheque",
  "attestation_accueil",
  "occupation_domaine_public",
  "recensement_citoyen",
];
const CHANNELS: (typeof WORKSTATION_CHANNELS)[number][] = [
  "guichet",
  "telephone",
  "courrier",
  "courriel",
  "autre",
];

type Ws = BenchWorkstation;

function seedRequest(i: number, ws: Ws, now: number): GuichetRequest {
  return sampleRequest(i, ws, {
    demarcheId: SEEDED[i % SEEDED.length]!,
    channel: CHANNELS[i % CHANNELS.length]!,
    at: new Date(now - (i % 150) * 86_400_000 - (i % 997) * 60_000).toISOString(),
    citizen: {
      lastName: LAST[i % LAST.length]!,
      firstName: FIRST[Math.floor(i / LAST.length) % FIRST.length]!,
    },
    street: "rue de la République",
    // Z…: apart from the workstation's code and from the dashboard bench's (Y…).
    codeLetter: "Z",
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function rawDb(name: string): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(name);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function waitFor(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    // Also on a timer: a page that stops changing (a lock screen) must fail, not wait forever.
    const timer = setTimeout(() => {
      obs.disconnect();
      reject(new Error(`timeout: nothing matched in ${timeoutMs} ms (${location.hash})`));
    }, timeoutMs);
    const obs = new MutationObserver(() => {
      if (check()) {
        clearTimeout(timer);
        obs.disconnect();
        resolve();
      }
    });
    obs.observe(document.body, { childList: true, subtree: true, characterData: true });
  });
}

export function installTestHook(dataPromise: Promise<LocalData>, client: QueryClient): void {
  const clearCaches = async () => {
    const data = await dataPromise;
    // RxDB answers a repeated query from its cache: every timed run reads storage.
    (data.db.requests as unknown as { _queryCache: { _map: Map<string, unknown> } })._queryCache._map.clear();
    client.removeQueries({ queryKey: ["requests"] });
  };
  let raw: IDBDatabase | null = null;
  const rawRequests = async () => {
    raw ??= await rawDb(`rxdb-dexie-${(await dataPromise).db.name}--0--requests`);
    return raw;
  };

  const hook = {
    ready: dataPromise.then(() => true),
    async seed(total: number, batch: number, ws: Ws): Promise<number> {
      const data = await dataPromise;
      const now = Date.now();
      const t0 = performance.now();
      for (let start = 0; start < total; start += batch) {
        const docs: GuichetRequest[] = [];
        for (let i = start; i < Math.min(total, start + batch); i++) docs.push(seedRequest(i, ws, now));
        await data.repo.bulkInsert(docs);
      }
      return performance.now() - t0;
    },
    async count(): Promise<number> {
      return (await dataPromise).db.requests.count().exec();
    },
    async stopSync(): Promise<void> {
      await (
        window as unknown as { __guichetReplication?: { stop(): Promise<void> } }
      ).__guichetReplication?.stop();
    },
    /** Ids spread over the replica, read raw: RxDB's document cache stays empty of them. */
    async sampleIds(n: number): Promise<string[]> {
      const db = await rawRequests();
      const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
        const req = db.transaction("docs", "readonly").objectStore("docs").getAllKeys();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const step = Math.max(1, Math.floor(keys.length / n));
      return Array.from({ length: n }, (_, i) => String(keys[(i * step + 7) % keys.length]));
    },
    async timeQueue(service: string): Promise<number> {
      const data = await dataPromise;
      await clearCaches();
      const q = planQueue("service", {}, { myService: service, today: "2026-01-01", soonDays: 15 });
      return timed(() => fetchPage(data, q, null, 50));
    },
    async timeTracking(input: string): Promise<number> {
      const data = await dataPromise;
      await clearCaches();
      return timed(async () => {
        const r = await findByTracking(data, input);
        if (!r.ok || !r.request) throw new Error(`not found: ${input}`);
      });
    },
    async timeName(text: string): Promise<number> {
      const data = await dataPromise;
      await clearCaches();
      return timed(async () => {
        if ((await findByName(data, text)).length === 0) throw new Error(`no match: ${text}`);
      });
    },
    /** Subject words (word index). */
    async timeWords(text: string): Promise<number> {
      const data = await dataPromise;
      await clearCaches();
      return timed(async () => {
        if ((await findByWords(data, text)).length === 0) throw new Error(`no match: ${text}`);
      });
    },
    /** Waits until the word index holds every request (built in the background after the seed). */
    async indexWords(): Promise<number> {
      const data = await dataPromise;
      return timed(async () => {
        while (!(await data.words.upToDate())) await data.words.catchUp();
      });
    },
    async timeGet(id: string): Promise<number> {
      const data = await dataPromise;
      await clearCaches();
      return timed(() => data.repo.get(id));
    },
    /** Navigates (hash route) and waits until `selector` is in the DOM: what the agent sees. */
    async timeScreen(hash: string, selector: string): Promise<number> {
      await clearCaches();
      const t0 = performance.now();
      location.hash = hash;
      let first = 0;
      await waitFor(() => {
        first ||= performance.now();
        return document.querySelector(selector) !== null;
      });
      const t = performance.now();
      (window as unknown as { __lastScreen: number[] }).__lastScreen = [first - t0, t - first];
      return t - t0;
    },
    /** When the app shell, then the first queue row, appeared (performance.now(), from the navigation). */
    async coldMarks(): Promise<{ nav: number; rows: number }> {
      let nav = 0;
      await waitFor(() => {
        if (!nav && document.querySelector("nav[aria-label='Navigation principale']"))
          nav = performance.now();
        return document.querySelector("[data-testid=queue-row]") !== null;
      }, 60_000);
      return { nav, rows: performance.now() };
    },
    async floorGet(id: string): Promise<number> {
      const db = await rawRequests();
      return timed(
        () =>
          new Promise((resolve, reject) => {
            const req = db.transaction("docs", "readonly").objectStore("docs").get(id);
            req.onsuccess = () => resolve(req.result);
            req.onerror = () => reject(req.error);
          }),
      );
    },
    async floorCursor(service: string, n = 50): Promise<number> {
      const db = await rawRequests();
      return timed(
        () =>
          new Promise<void>((resolve, reject) => {
            const index = db
              .transaction("docs", "readonly")
              .objectStore("docs")
              .index("[_deleted+open+service+dueOn+id]");
            const req = index.openCursor(
              IDBKeyRange.bound(["0", "1", service], ["0", "1", service, "\uffff"]),
            );
            let rows = 0;
            req.onsuccess = () => {
              const c = req.result;
              if (c && ++rows < n) c.continue();
              else resolve();
            };
            req.onerror = () => reject(req.error);
          }),
      );
    },
  };
  (window as unknown as { __guichetTest: typeof hook }).__guichetTest = hook;
}
