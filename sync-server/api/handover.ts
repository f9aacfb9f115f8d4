import { mergeRequests } from "../../domain/history";
import { type GuichetRequest, requestSchema } from "../../domain/request";
import { rolesOn } from "../../domain/roles";
import { ASSIGN_ROLES, canTransition } from "../../domain/workflow";
import type { CommuneDatabases } from "../database-names";
import { type CouchDb, CouchError } from "../http/couch-db";
import { badRequest } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import type { Agent, AgentAuth } from "./agent-auth";
import { asObject, readJson } from "./json-body";

/**
 * Hand-over of sensitive requests (CCAS, police municipale). A counter may record one offline, but
 * its account is not a member of that service's database: CouchDB has no write-only membership,
 * and a member could read every file. So the workstation posts the request here; the server checks
 * what CouchDB would have checked for the agent (author of every new event, creation by them,
 * transitions allowed to their roles) and writes it into the service's database with its own
 * account (the database's rules let the server relay there, and only there). Idempotent: a
 * request sent twice is merged like any replica's copy (union of events).
 */
export type HandoverDeps = {
  agents: AgentAuth;
  databases: CommuneDatabases;
  /** A request database, as the server account. */
  db: (name: string) => CouchDb;
};

export type HandoverResult = { id: string; ok: true } | { id: string; ok: false; reason: string };

export const MAX_HANDOVER_BATCH = 50;
const HANDOVER_LIMIT = 2 * 1024 * 1024;

export function addHandoverApi(r: Router, deps: HandoverDeps): Router {
  r.post("/api/v1/handovers", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const body = asObject(await readJson(ctx, HANDOVER_LIMIT));
    const list = body.requests;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_HANDOVER_BATCH) {
      throw badRequest(
        `« requests » : une liste de 1 à ${MAX_HANDOVER_BATCH} demandes est attendue.`,
        "requests",
      );
    }
    const results: HandoverResult[] = [];
    for (const raw of list) results.push(await handOver(deps, agent, raw));
    sendJson(ctx.res, 200, { results });
  });
  return r;
}

async function handOver(deps: HandoverDeps, agent: Agent, raw: unknown): Promise<HandoverResult> {
  const rawId = (raw as { id?: unknown } | null)?.id;
  const id = typeof rawId === "string" ? rawId.slice(0, 16) : "";
  const refuse = (reason: string): HandoverResult => ({ id, ok: false, reason });
  const parsed = requestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return refuse(`${issue?.path.join(".") || "(demande)"} : ${issue?.message ?? "invalide"}`);
  }
  const doc = parsed.data;
  if (!doc.sensitive)
    return refuse("sensitive : cette demande n'est pas sensible, elle passe par la base principale.");
  const dbName = deps.databases.sensitive[doc.service];
  if (!dbName) return refuse(`service : « ${doc.service} » n'est pas un service sensible de la commune.`);
  const db = deps.db(dbName);
  // Cluster: the stored copy is a quorum GET and the write carries its revision, so a concurrent
  // change gives 409 and a new merge; a hand-over posted twice (retry, two nodes) merges to the
  // same events, so a sibling left by a 202 during a node failure holds nothing new.
  for (let attempt = 0; attempt < 5; attempt++) {
    const stored = await db.get<GuichetRequest>(doc.id);
    const error = authorshipError(doc, stored, agent);
    if (error) return refuse(error);
    const next = stored ? mergeRequests(strip(stored), doc) : doc;
    if (stored && next.events.length === stored.events.length) return { id: doc.id, ok: true };
    try {
      await db.put({ ...next, _id: doc.id, ...(stored ? { _rev: stored._rev } : {}) });
      return { id: doc.id, ok: true };
    } catch (e) {
      if (e instanceof CouchError && e.status === 409) continue;
      // PouchDB Server answers a stale revision with the rules' verdict on the current document.
      if (e instanceof CouchError && e.status === 403) {
        const now = await db.get(doc.id);
        if (now?._rev !== stored?._rev) continue;
        return refuse(e.reason);
      }
      throw e;
    }
  }
  return refuse("La demande change trop souvent sur le serveur : réessayez.");
}

/** What validate_doc_update checks for an agent's own write, checked here for the relayed one. */
function authorshipError(doc: GuichetRequest, stored: GuichetRequest | null, agent: Agent): string | null {
  if (!stored && doc.createdBy !== agent.name) {
    return `createdBy : doit être votre identifiant (« ${agent.name} »).`;
  }
  const known = new Set(stored?.events.map((e) => e.id) ?? []);
  const roles = rolesOn(stored?.service ?? doc.service, agent.roles, agent.couchRoles);
  for (const e of doc.events) {
    if (known.has(e.id)) continue;
    if (e.by !== agent.name) return `events : l'événement ${e.id} n'est pas de vous (« ${e.by} »).`;
    if (e.kind === "created" && stored)
      return "events : un événement « created » ne s'ajoute qu'à la création.";
    if (e.kind === "status") {
      const check = canTransition(e.from, e.to, roles);
      if (!check.ok) return `events : ${check.error}`;
    }
    if (e.kind === "assigned" && !roles.some((r) => ASSIGN_ROLES.includes(r))) {
      return "events : votre rôle ne permet pas d'attribuer une demande.";
    }
  }
  return null;
}

function strip(doc: GuichetRequest & { _id?: string; _rev?: string }): GuichetRequest {
  const { _id, _rev, ...rest } = doc as GuichetRequest & Record<string, unknown>;
  return rest as GuichetRequest;
}
