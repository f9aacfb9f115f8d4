import {
  type WorkstationStatus,
  workstationStatusId,
  workstationStatusSchema,
} from "../../domain/workstation-status";
import { type CouchDb, CouchError } from "../couch/couch-db";
import type { WorkstationRegistry } from "../couch/workstation-registry";
import { HttpError } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import type { AgentAuth } from "../services/agent-auth";
import { workstationDocId } from "../services/server-codes";
import type { WorkstationRecord } from "../services/workstation-codes";

export type FleetApiDeps = {
  agents: AgentAuth;
  commune: string;
  /** The commune's server database (workstation records), as the server account. */
  serverDb: CouchDb;
  /** The commune's -log database (status documents), as the server account. */
  logDb: CouchDb;
  registry: WorkstationRegistry;
  now: () => Date;
};

type StoredStatus = WorkstationStatus & { _id: string; _rev?: string };

/** Every workstation record of the commune into the registry, at start-up. */
export async function loadWorkstations(deps: Pick<FleetApiDeps, "serverDb" | "registry" | "commune">) {
  // By id range: the server database also holds the outbox, which a scan would read whole.
  const res = await deps.serverDb.allDocs<WorkstationRecord>({
    startkey: workstationDocId(""),
    endkey: workstationDocId("\ufff0"),
    include_docs: true,
  });
  for (const row of res.rows) if (row.doc?.type === "workstation") deps.registry.add(deps.commune, row.doc);
}

/**
 * The first status of a new workstation, written by the server: the fleet view lists it before
 * it has ever reported.
 */
export async function writeFirstStatus(logDb: CouchDb, record: WorkstationRecord): Promise<void> {
  const doc: StoredStatus = {
    _id: workstationStatusId(record.code),
    type: "workstation_status",
    code: record.code,
    name: record.name,
    agent: record.createdBy,
    reportedAt: record.createdAt,
    seenAt: record.createdAt,
    pendingRequests: 0,
    pendingFiles: 0,
    rejected: 0,
  };
  await logDb.put(doc);
}

/** Supervisors and admins look at one workstation and revoke it (the fleet view lists them from the replica). */
export function addFleetApi(r: Router, deps: FleetApiDeps): Router {
  const STAFF = ["supervisor", "admin"] as const;

  r.get("/api/v1/workstations/:code", async (ctx) => {
    await deps.agents.require(ctx.req, STAFF);
    const record = await readRecord(deps, ctx.params.code ?? "");
    const status = await deps.logDb.get<StoredStatus>(workstationStatusId(record.code));
    sendJson(ctx.res, 200, view(record, status));
  });

  r.post("/api/v1/workstations/:code/revoke", async (ctx) => {
    const agent = await deps.agents.require(ctx.req, STAFF);
    let record = await readRecord(deps, ctx.params.code ?? "");
    const revoked = record.revoked ?? { at: deps.now().toISOString(), by: agent.name };
    // The registry first: from this line on, the gateway and the API refuse it.
    deps.registry.add(deps.commune, record);
    deps.registry.revoke(deps.commune, record.code, revoked);
    if (!record.revoked) record = await saveRevoked(deps.serverDb, record, revoked);
    const status = await markStatusRevoked(deps.logDb, record, revoked);
    sendJson(ctx.res, 200, view(record, status));
  });
  return r;
}

async function readRecord(deps: FleetApiDeps, code: string): Promise<WorkstationRecord> {
  if (!/^[0-9A-Z]{3}$/.test(code)) throw new HttpError(404, "Poste introuvable.");
  const record = await deps.serverDb.get<WorkstationRecord>(workstationDocId(code));
  if (record?.type !== "workstation") throw new HttpError(404, "Poste introuvable.");
  return record;
}

async function saveRevoked(
  db: CouchDb,
  record: WorkstationRecord,
  revoked: { at: string; by: string },
): Promise<WorkstationRecord> {
  for (let current = record; ; ) {
    const next = { ...current, revoked: current.revoked ?? revoked };
    try {
      await db.put(next);
      return next;
    } catch (e) {
      if (!(e instanceof CouchError) || e.status !== 409) throw e;
      const fresh = await db.get<WorkstationRecord>(current._id);
      if (!fresh) throw e;
      current = fresh;
    }
  }
}

/** The status document says so too, so every supervisor's fleet view shows it (retried on a race with the workstation). */
async function markStatusRevoked(
  db: CouchDb,
  record: WorkstationRecord,
  revoked: { at: string; by: string },
): Promise<StoredStatus | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = await db.get<StoredStatus>(workstationStatusId(record.code));
    if (current?.revoked) return current;
    const base: StoredStatus = current ?? {
      _id: workstationStatusId(record.code),
      type: "workstation_status",
      code: record.code,
      name: record.name,
      agent: record.createdBy,
      reportedAt: record.createdAt,
      pendingRequests: 0,
      pendingFiles: 0,
      rejected: 0,
    };
    const next: StoredStatus = { ...base, revoked };
    try {
      const res = await db.put(next);
      return { ...next, _rev: res.rev };
    } catch (e) {
      if (!(e instanceof CouchError) || e.status !== 409) throw e;
    }
  }
  throw new HttpError(503, "Le poste a été révoqué, mais son état n'a pas pu être mis à jour : réessayez.");
}

/** What the server knows of a workstation: its record, and its last report (what was pending then). */
function view(record: WorkstationRecord, status: StoredStatus | null) {
  const parsed = status ? workstationStatusSchema.safeParse(stripMeta(status)) : null;
  return {
    code: record.code,
    name: record.name,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    revoked: record.revoked ?? null,
    status: parsed?.success ? parsed.data : null,
  };
}

function stripMeta(doc: StoredStatus): WorkstationStatus {
  const { _id, _rev, ...rest } = doc;
  return rest as WorkstationStatus;
}
