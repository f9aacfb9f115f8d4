import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { getRxStorageDexie } from "rxdb/plugins/storage-dexie";
import { filter, firstValueFrom } from "rxjs";
import { findDemarche } from "../../../domain/catalogue";
import { DEMO_COMMUNE } from "../../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { newEventId } from "../../../domain/history";
import { newRequest } from "../../../domain/new-request";
import type { AttachmentMeta, GuichetRequest, RequestEvent } from "../../../domain/request";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { createGuichetDatabase, type GuichetDatabase } from "../../../renderer/db/database";
import { requestsRepo } from "../../../renderer/db/requests-repo";
import { syncLedger } from "../../../renderer/db/sync-ledger";
import type { Credentials } from "../../../renderer/sync/http";
import {
  type RequestReplication,
  type SyncStatus,
  startRequestReplication,
} from "../../../renderer/sync/request-replication";

/**
 * A simulated counter workstation: its own IndexedDB (fake-indexeddb, Dexie storage as in the
 * renderer), its own replication, and a network switch that makes every HTTP call fail like a
 * cut line.
 */
let dbCounter = 0;

export type Workstation = Awaited<ReturnType<typeof openWorkstation>>;

export async function openWorkstation(opts: {
  code: string;
  commune: string;
  dbUrl: string;
  auth: Credentials;
  dbName?: string;
  pushBatchSize?: number;
  pullBatchSize?: number;
  sensitiveDbUrls?: Record<string, string>;
  handover?: { url: string; services: string[]; keepMs?: number };
  reconcileMs?: number;
}) {
  const name = opts.dbName ?? `ws-${opts.code.toLowerCase()}-${Date.now()}-${dbCounter++}`;
  const db: GuichetDatabase = await createGuichetDatabase({
    name,
    storage: getRxStorageDexie({ indexedDB, IDBKeyRange }),
  });
  const repo = requestsRepo(db);
  let online = true;
  let seq = (await db.requests.count().exec()) + 1;
  const net = {
    fetch: (url: string, init?: RequestInit) => {
      if (!online) return Promise.reject(new TypeError("fetch failed (réseau coupé)"));
      return fetch(url, init);
    },
  };
  let replication: RequestReplication = start();

  function start() {
    return startRequestReplication({
      db,
      dbUrl: opts.dbUrl,
      auth: opts.auth,
      fetch: net.fetch,
      retryMs: 300,
      longpollMs: 2000,
      identifier: `test-${opts.dbUrl}`,
      ...(opts.pushBatchSize ? { pushBatchSize: opts.pushBatchSize } : {}),
      ...(opts.pullBatchSize ? { pullBatchSize: opts.pullBatchSize } : {}),
      ...(opts.sensitiveDbUrls ? { sensitiveDbUrls: opts.sensitiveDbUrls } : {}),
      ...(opts.handover ? { handover: opts.handover } : {}),
      ...(opts.reconcileMs ? { reconcileMs: opts.reconcileMs } : {}),
    });
  }

  function record(
    overrides: Partial<{
      demarche: string;
      lastName: string;
      channel: string;
      fields: Record<string, string>;
      attachments: AttachmentMeta[];
    }> = {},
  ): Promise<GuichetRequest> {
    const demarche = findDemarche(DEFAULT_CATALOGUE, overrides.demarche ?? "aide_restauration_scolaire")!;
    const now = new Date().toISOString();
    const res = newRequest(
      {
        demarche: demarche.id,
        channel: overrides.channel ?? "guichet",
        subject: `${demarche.label} (${opts.code} n°${seq})`,
        fields:
          overrides.fields ??
          (demarche.id === "aide_restauration_scolaire"
            ? { enfant: "Léa Martin", ecole: "École Jules-Ferry" }
            : { message: "Question posée au guichet" }),
        citizen: { firstName: "Camille", lastName: overrides.lastName ?? `Durand-${opts.code}-${seq}` },
        attachments: overrides.attachments ?? [],
      },
      {
        commune: opts.commune,
        tracking: makeTrackingNumber(opts.code, seq++),
        demarche,
        policy: DEMO_COMMUNE.policy,
        by: opts.auth.username,
        workstation: opts.code,
        now,
      },
    );
    if (!res.ok) throw new Error(JSON.stringify(res.issues));
    return repo.insert(res.request);
  }

  function event<K extends RequestEvent["kind"]>(
    kind: K,
    body: Omit<Extract<RequestEvent, { kind: K }>, "id" | "at" | "by" | "workstation" | "kind">,
  ): RequestEvent {
    const at = new Date().toISOString();
    return {
      id: newEventId(at, opts.code),
      at,
      by: opts.auth.username,
      workstation: opts.code,
      kind,
      ...body,
    } as RequestEvent;
  }

  /** What a settle that timed out waited for: each marker's request here, in the ledger, on the server. */
  async function whyPending(): Promise<string> {
    try {
      const ledger = await syncLedger(db);
      const ids = (await ledger.pendingIds()).slice(0, 10);
      const states = await ledger.readState(["#up", "#down", ...ids]);
      const busy = await firstValueFrom(replication.replication.active$);
      const lines = [
        `status ${JSON.stringify(await firstValueFrom(replication.status$))}, réplication occupée : ${busy}`,
      ];
      lines.push(`checkpoints ${JSON.stringify([states.get("#up"), states.get("#down")])}`);
      const auth = `Basic ${Buffer.from(`${opts.auth.username}:${opts.auth.password}`).toString("base64")}`;
      for (const id of ids) {
        const local = await db.requests.findOne(id).exec();
        const res = await fetch(`${opts.dbUrl}/${encodeURIComponent(id)}`, {
          headers: { authorization: auth },
        });
        const server = res.ok ? ((await res.json()) as { _rev: string; events: unknown[] }) : undefined;
        lines.push(
          `${id}: local ${local ? `${local.toJSON().events.length} événements, rev ${local.revision}, lwt ${local.toMutableJSON(true)._meta?.lwt}` : "absente"}` +
            ` ; état ${JSON.stringify(states.get(id) ?? null)} ; serveur ${server ? `${server._rev}, ${server.events.length} événements` : res.status}`,
        );
      }
      return lines.join("\n");
    } catch (e) {
      return `(diagnostic impossible : ${String(e)})`;
    }
  }

  return {
    code: opts.code,
    db,
    repo,
    get replication() {
      return replication;
    },
    record,
    event,
    /** This workstation's HTTP, cut when offline. */
    fetch: net.fetch,
    setOnline(value: boolean) {
      online = value;
      if (value) replication.reSync();
    },
    async status(): Promise<SyncStatus> {
      return firstValueFrom(replication.status$);
    },
    /** Waits until nothing is pending and the replication reports being in sync. */
    async settle(timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        firstValueFrom(replication.status$.pipe(filter((s) => s.pending === 0))),
        new Promise((_, rej) => {
          timer = setTimeout(
            () =>
              void whyPending().then((why) =>
                rej(new Error(`${opts.code}: still pending after ${timeoutMs} ms\n${why}`)),
              ),
            timeoutMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      await replication.awaitInSync();
      if (Date.now() > deadline) throw new Error("timeout");
    },
    async all(): Promise<GuichetRequest[]> {
      const docs = await db.requests.find().exec();
      return docs.map((d) => d.toJSON() as GuichetRequest);
    },
    /** Closes the app: the local database stays on disk (in fake-indexeddb) for a reopen. */
    async close(): Promise<string> {
      await replication.stop();
      await db.close();
      return name;
    },
    async restartReplication(): Promise<void> {
      await replication.stop();
      replication = start();
    },
    async destroy(): Promise<void> {
      await replication.stop();
      await db.remove();
    },
  };
}
