import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { GuichetRequest } from "../../domain/request";
import type { CommuneDatabases } from "../database-names";
import { hasControlChars } from "../http/control-chars";
import { type CouchDb, CouchError, type CouchServer } from "../http/couch-db";
import { HttpError } from "../http/errors";
import { send, sendJson } from "../http/respond";
import type { Router } from "../http/router";
import type { Agent, AgentAuth } from "./agent-auth";
import type { AttachmentStore } from "./attachment-store";
import { attestationPdf } from "./attestation-pdf";
import { asObject, readJson } from "./json-body";
import { implicitAcceptanceBorn } from "./public-view";
import { allocateWorkstationCode } from "./workstation-codes";

export type AgentApiDeps = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  today: () => string;
  agents: AgentAuth;
  /** CouchDB without credentials: agents' own requests carry their Authorization header. */
  couch: CouchServer;
  /** The address counters use to reach CouchDB. */
  publicCouchUrl: string;
  databases: CommuneDatabases;
  /** The server's bookkeeping database, as the server account. */
  serverDb: CouchDb;
  attachments: AttachmentStore;
  now: () => Date;
};

/** JSON API v1 for the counters: agents log in with their own CouchDB account. */
export function addAgentApi(r: Router, deps: AgentApiDeps): Router {
  r.get("/api/v1/workstation/config", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const dbs = deps.databases;
    const sensitive = Object.fromEntries(
      Object.entries(dbs.sensitive).filter(
        ([service]) =>
          agent.couchRoles.includes(`guichet:sensitive:${service}`) || agent.roles.includes("supervisor"),
      ),
    );
    sendJson(ctx.res, 200, {
      commune: deps.commune(),
      couchUrl: deps.publicCouchUrl,
      databases: { main: dbs.main, log: dbs.log, config: dbs.config, sensitive },
      catalogue: deps.catalogue(),
      user: { name: agent.name, roles: agent.roles },
    });
  });

  r.post("/api/v1/workstations", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const body = asObject(await readJson(ctx));
    const name = typeof body.name === "string" ? body.name.trim() : "";
    if (!name || name.length > 80 || hasControlChars(name)) {
      throw new HttpError(422, "Nom du poste invalide.", [
        {
          field: "name",
          message: "Donnez un nom au poste (80 caractères au maximum), par exemple « Accueil 1 ».",
        },
      ]);
    }
    const record = await allocateWorkstationCode(deps.serverDb, {
      name,
      by: agent.name,
      at: deps.now().toISOString(),
    });
    sendJson(ctx.res, 201, {
      code: record.code,
      name: record.name,
      createdAt: record.createdAt,
      createdBy: record.createdBy,
    });
  });

  r.get("/api/v1/requests/:id/attestation.pdf", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const request = await readAsAgent(deps, agent, ctx.params.id ?? "");
    const today = deps.today();
    if (!implicitAcceptanceBorn(request, today)) {
      throw new HttpError(409, "Aucune décision implicite d'acceptation n'est née pour cette demande.");
    }
    const pdf = await attestationPdf(request, deps.catalogue(), deps.commune(), today);
    send(ctx.res, 200, "application/pdf", pdf, {
      "Content-Disposition": `attachment; filename="attestation-${request.tracking}.pdf"`,
      "Cache-Control": "no-store",
    });
  });

  r.get("/api/v1/requests/:id/attachments/:sha256", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const request = await readAsAgent(deps, agent, ctx.params.id ?? "");
    const meta = request.attachments.find((a) => a.sha256 === ctx.params.sha256);
    const data = meta ? await deps.attachments.get(meta.sha256) : null;
    if (!meta || !data) throw new HttpError(404, "Pièce jointe introuvable.");
    send(ctx.res, 200, meta.mime, data, {
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(meta.name)}`,
      "Cache-Control": "private, no-store",
    });
  });

  r.get("/api/v1/requests/:id/outbox", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const request = await readAsAgent(deps, agent, ctx.params.id ?? "");
    const rows = await deps.serverDb.allDocs({
      keys: [`outbox:${request.id}:registration`, `outbox:${request.id}:ar`],
      include_docs: true,
    });
    sendJson(ctx.res, 200, {
      mails: rows.rows
        .map((row) => row.doc)
        .filter(Boolean)
        .map(outboxView),
    });
  });

  r.get("/api/v1/outbox", async (ctx) => {
    await deps.agents.require(ctx.req, ["supervisor", "admin"]);
    const res = await deps.serverDb.find({
      selector: { type: "outbox", state: { $in: ["pending", "blocked"] } },
      limit: 500,
    });
    sendJson(ctx.res, 200, { mails: res.docs.map(outboxView) });
  });
  return r;
}

/** An outbox entry as agents see it (state, attempts, last error), without the message body. */
function outboxView(doc: unknown) {
  const d = doc as Record<string, unknown>;
  return {
    requestId: d.requestId,
    kind: d.kind,
    state: d.state,
    attempts: d.attempts,
    nextAttemptAt: d.nextAttemptAt,
    lastError: d.lastError ?? null,
    sentAt: d.sentAt ?? null,
  };
}

/**
 * The request as the agent's own account may read it: CouchDB decides (main database, then the
 * sensitive ones), so the API never shows an agent what their replica would not hold.
 */
async function readAsAgent(deps: AgentApiDeps, agent: Agent, id: string): Promise<GuichetRequest> {
  if (!/^[0-9A-Z]{8}$/.test(id)) throw new HttpError(404, "Demande introuvable.");
  for (const db of [deps.databases.main, ...Object.values(deps.databases.sensitive)]) {
    try {
      return await deps.couch.request<GuichetRequest>(`${encodeURIComponent(db)}/${id}`, {
        headers: { Authorization: agent.authorization },
      });
    } catch (e) {
      if (!(e instanceof CouchError) || ![401, 403, 404].includes(e.status)) throw e;
    }
  }
  throw new HttpError(404, "Demande introuvable.");
}
