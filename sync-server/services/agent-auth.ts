import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { couchRole, localRoles, ROLES, type Role } from "../../domain/roles";
import { WORKSTATION_REVOKED } from "../../domain/workstation-status";
import { CouchError, type CouchServer } from "../couch/couch-db";
import {
  REQUIRED_MESSAGE,
  REVOKED_MESSAGE,
  UNKNOWN_MESSAGE,
  type WorkstationRegistry,
} from "../couch/workstation-registry";
import { HttpError } from "../http/errors";

/** `couchRoles`: the account's roles in this commune only, in local form (see domain localRoles). */
export type Agent = { name: string; couchRoles: string[]; roles: Role[]; authorization: string };

const MEMBER = "guichet:member";

const STAFF: Role[] = ["agent", "service_agent", "supervisor", "admin"];

// No WWW-Authenticate: Basic, as CouchDB: a browser would pop its own login box over the counter app.
const unauthorized = (message: string) => new HttpError(401, message);

/**
 * Agents log in to the API with the same account as to CouchDB: the Basic credentials are checked
 * by CouchDB itself (`GET /_session`), never stored here. Answers are cached briefly (by a hash
 * of the header) so a counter's calls do not each cost a password hash on the database server.
 */
export class AgentAuth {
  private readonly cache = new Map<string, { agent: Agent | null; until: number }>();
  /** Accounts changed lately, until when: each node of a cluster learns of a change from its _users feed. */
  private readonly changed = new Map<string, number>();
  private static readonly SETTLE_MS = 30_000;

  constructor(
    private readonly couch: CouchServer,
    private readonly commune: string,
    private readonly ttlMs = 60_000,
    private readonly workstations?: WorkstationRegistry,
  ) {}

  /** `unregistered`: the calls a workstation makes before it has an identity (configuration, registration). */
  async require(
    req: IncomingMessage,
    allowed: readonly Role[] = STAFF,
    opts: { unregistered?: boolean } = {},
  ): Promise<Agent> {
    this.checkWorkstation(req, opts.unregistered ?? false);
    const header = req.headers.authorization ?? "";
    if (!/^Basic [A-Za-z0-9+/=]+$/.test(header))
      throw unauthorized("Identifiez-vous avec votre compte Guichet.");
    const key = createHash("sha256").update(header).digest("base64");
    const now = Date.now();
    let entry = this.cache.get(key);
    if (!entry || entry.until < now) {
      entry = { agent: await this.lookup(header), until: 0 };
      // Failures are kept a few seconds only: long enough to absorb a retry loop. An account that
      // just changed is not cached: a cluster node may still answer from before the change.
      const changed = entry.agent && (this.changed.get(entry.agent.name) ?? 0) > now;
      entry.until = changed ? now : now + (entry.agent ? this.ttlMs : 5_000);
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, entry);
    }
    const agent = entry.agent;
    if (!agent) throw unauthorized("Identifiant ou mot de passe refusé.");
    const member = agent.couchRoles.includes("_admin") || agent.couchRoles.includes(MEMBER);
    if (!member || !agent.roles.some((r) => allowed.includes(r))) {
      throw new HttpError(403, "Votre compte ne permet pas cette action.");
    }
    return agent;
  }

  /** A revoked or unknown workstation is refused before anything else, whoever logs in on it. */
  private checkWorkstation(req: IncomingMessage, unregistered: boolean): void {
    const registry = this.workstations;
    if (!registry) return;
    const id = registry.identify(req);
    if (id.kind === "revoked")
      throw new HttpError(403, REVOKED_MESSAGE, [{ field: WORKSTATION_REVOKED, message: REVOKED_MESSAGE }]);
    if (id.kind === "unknown") throw new HttpError(403, UNKNOWN_MESSAGE);
    if (id.kind === "valid" && id.commune !== this.commune)
      throw new HttpError(403, "Ce poste appartient à une autre commune.");
    if (id.kind === "none" && registry.required && !unregistered) throw new HttpError(403, REQUIRED_MESSAGE);
  }

  /** Forgets an account whose roles or password just changed: disabling it takes effect at once here. */
  forget(name: string): void {
    for (const [key, entry] of this.cache) if (entry.agent?.name === name) this.cache.delete(key);
    const now = Date.now();
    for (const [n, until] of this.changed) if (until < now) this.changed.delete(n);
    this.changed.set(name, now + AgentAuth.SETTLE_MS);
  }

  private async lookup(authorization: string): Promise<Agent | null> {
    try {
      const s = await this.couch.session(authorization);
      if (!s.userCtx.name) return null;
      // Roles of other communes are dropped here: they give nothing in this one.
      const couchRoles = localRoles(s.userCtx.roles, this.commune);
      const roles = ROLES.filter(
        (r) => couchRoles.includes(couchRole(r)) || (couchRoles.includes("_admin") && r !== "portal"),
      );
      return { name: s.userCtx.name, couchRoles, roles, authorization };
    } catch (e) {
      // CouchDB 3 and the embedded server's gateway lock an account for a while after repeated
      // wrong passwords: say so, not "wrong password".
      if (e instanceof CouchError && e.status === 403 && /lock|bloqu/i.test(e.reason)) {
        throw new HttpError(
          403,
          "Compte bloqué quelques minutes après plusieurs mots de passe erronés : réessayez dans 5 minutes.",
        );
      }
      if (e instanceof CouchError && (e.status === 401 || e.status === 403)) return null;
      throw e;
    }
  }
}
