import { withEvents } from "../../domain/history";
import { type GuichetRequest, requestSchema } from "../../domain/request";
import { rolesOn, sensitiveRole } from "../../domain/roles";
import { ASSIGN_ROLES, canTransition, type Status } from "../../domain/workflow";
import { type CouchDb, CouchError } from "../couch/couch-db";
import type { CommuneDatabases } from "../couch/database-names";
import type { Agent, AgentAuth } from "./agent-auth";

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

/**
 * The one answer to a hand-over the agent may not make: it says neither whether the request exists
 * on the server nor what differs (an agent without the service's role cannot read that database).
 */
export const HANDOVER_REFUSED =
  "Transmission refusée : cette demande n'existe pas, ou vous ne pouvez pas la transmettre ainsi.";

export async function handOver(deps: HandoverDeps, agent: Agent, raw: unknown): Promise<HandoverResult> {
  const rawId = (raw as { id?: unknown } | null)?.id;
  const id = typeof rawId === "string" ? rawId.slice(0, 16) : "";
  const refuse = (reason: string): HandoverResult => ({ id, ok: false, reason });
  // Checks of the agent's own copy only: they reveal nothing stored.
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
    const next = handedOverState(doc, stored ? strip(stored) : null, agent);
    if (!next) return refuse(HANDOVER_REFUSED);
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
        return refuse(HANDOVER_REFUSED);
      }
      throw e;
    }
  }
  return refuse("La demande change trop souvent sur le serveur : réessayez.");
}

/**
 * What the server stores for a hand-over, or null when the agent may not make it. The stored
 * request is the base: its content, anonymisation and events are kept as they are, and only the
 * agent's events with new ids are added (an agent's copy can never rewrite a stored event). A new
 * request gets its projection recomputed from its events, never taken from the agent.
 */
export function handedOverState(
  doc: GuichetRequest,
  stored: GuichetRequest | null,
  agent: Agent,
): GuichetRequest | null {
  if (stored && !mayHandOver(stored, agent)) return null;
  if (!stored && doc.createdBy !== agent.name) return null;
  const base = stored ?? { ...doc, events: [] };
  const known = new Set(base.events.map((e) => e.id));
  const added = doc.events.filter((e) => !known.has(e.id));
  const next = withEvents(base, added);
  return authorshipError(next, new Set(added.map((e) => e.id)), stored, agent) ? null : next;
}

/** The agent created the request, already worked on it, or holds the service's own role. */
function mayHandOver(stored: GuichetRequest, agent: Agent): boolean {
  return (
    stored.createdBy === agent.name ||
    stored.events.some((e) => e.by === agent.name) ||
    agent.couchRoles.includes(sensitiveRole(stored.service))
  );
}

/**
 * What validate_doc_update checks for an agent's own write, checked here for the relayed one, plus
 * the status chain: each new status event must start from the status the request has at that point
 * (replayed from the stored events), so an agent cannot claim a `from` the request is not in.
 */
function authorshipError(
  next: GuichetRequest,
  added: ReadonlySet<string>,
  stored: GuichetRequest | null,
  agent: Agent,
): string | null {
  const roles = rolesOn(stored?.service ?? next.service, agent.roles, agent.couchRoles);
  let status: Status = "received";
  for (const e of next.events) {
    const mine = added.has(e.id);
    if (mine && e.by !== agent.name) return "events : auteur";
    if (mine && e.kind === "created" && stored) return "events : created";
    if (e.kind === "assigned" && status === "received") status = "assigned";
    if (e.kind !== "status") {
      if (mine && e.kind === "assigned" && !roles.some((r) => ASSIGN_ROLES.includes(r)))
        return "events : assigned";
      if (mine && e.kind === "anonymised") return "events : anonymised";
      continue;
    }
    if (mine && (e.from !== status || !canTransition(e.from, e.to, roles).ok)) return "events : status";
    status = e.to;
  }
  return null;
}

function strip(doc: GuichetRequest & { _id?: string; _rev?: string }): GuichetRequest {
  const { _id, _rev, ...rest } = doc as GuichetRequest & Record<string, unknown>;
  return rest as GuichetRequest;
}
