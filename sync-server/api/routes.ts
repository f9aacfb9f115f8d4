import type { Catalogue } from "../../domain/catalogue";
import { findService } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";
import type { CommuneDatabases } from "../database-names";
import { parseJson, readBody, requireMediaType } from "../http/body";
import { hasControlChars } from "../http/control-chars";
import { type CouchDb, CouchError, type CouchServer } from "../http/couch-db";
import { badRequest, HttpError } from "../http/errors";
import type { RateLimiter } from "../http/rate-limit";
import { send, sendJson } from "../http/respond";
import { type Ctx, Router } from "../http/router";
import type { Agent, AgentAuth } from "./agent-auth";
import type { AttachmentStore } from "./attachment-store";
import { attestationPdf } from "./attestation-pdf";
import { findForCitizen, NOT_FOUND_MESSAGE } from "./follow-up";
import { type IntakeDeps, onlineDemarches, submit } from "./intake";
import { implicitAcceptanceBorn, publicView } from "./public-view";
import { MAX_FILE_BYTES, MAX_FILES } from "./submission-schema";
import type { Tokens } from "./tokens";
import { allocateWorkstationCode } from "./workstation-codes";

export type ApiDeps = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  intake: IntakeDeps;
  mainDb: CouchDb;
  tokens: Tokens;
  followUpLimiter: RateLimiter;
  submitLimiter: RateLimiter | null;
  today: () => string;
  followUpMinDelayMs: number;
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

const JSON_LIMIT = 64 * 1024;
const JSON_WITH_FILES_LIMIT = JSON_LIMIT + MAX_FILES * Math.ceil((MAX_FILE_BYTES * 4) / 3);

async function readJson(ctx: Ctx, limit = JSON_LIMIT): Promise<unknown> {
  requireMediaType(ctx.req, ["application/json"]);
  return parseJson(await readBody(ctx.req, limit));
}

function asObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw badRequest("Un objet JSON est attendu.");
  return v as Record<string, unknown>;
}

/** JSON API v1: the portal's actions for apps, and the counters' own calls (authenticated agents). */
export function apiRouter(deps: ApiDeps): Router {
  const r = new Router();

  // Cheapest answer of this HTTP stack: the benchmark's floor, and a health check for a proxy.
  r.get("/api/v1/health", (ctx) => sendJson(ctx.res, 200, { ok: true }));

  r.get("/api/v1/catalogue", (ctx) => {
    const c = deps.catalogue();
    const commune = deps.commune();
    sendJson(ctx.res, 200, {
      commune: {
        id: commune.id,
        name: commune.name,
        address: commune.address,
        phone: commune.phone,
        email: commune.email,
      },
      demarches: onlineDemarches(c).map((d) => ({
        id: d.id,
        label: d.label,
        category: d.category,
        description: d.description,
        service: findService(c, d.service)?.name ?? d.service,
        rule: d.rule,
        arOwed: d.arOwed,
        needsLocation: d.needsLocation,
        fields: d.fields,
      })),
    });
  });

  r.post("/api/v1/requests", async (ctx) => {
    deps.submitLimiter?.hit(ctx.ip);
    const body = asObject(await readJson(ctx, JSON_WITH_FILES_LIMIT));
    const result = await submit(deps.intake, body);
    if (!result.ok) {
      sendJson(ctx.res, 422, { errors: result.issues });
      return;
    }
    const req = result.request;
    sendJson(ctx.res, 201, {
      id: req.id,
      trackingNumber: formatTrackingNumber(req.tracking),
      receivedAt: req.receivedAt,
      status: publicView(req, deps.catalogue(), deps.today()).status,
    });
  });

  r.post("/api/v1/follow-up", async (ctx) => {
    deps.followUpLimiter.hit(ctx.ip);
    const body = asObject(await readJson(ctx));
    const found = await findForCitizen(deps.mainDb, body, deps.followUpMinDelayMs);
    ctx.res.setHeader("Cache-Control", "no-store");
    if (found.ok) {
      const today = deps.today();
      const token = deps.tokens.sign("suivi", found.request.id, 30 * 60);
      sendJson(ctx.res, 200, {
        request: publicView(found.request, deps.catalogue(), today),
        ...(implicitAcceptanceBorn(found.request, today)
          ? { attestationUrl: `/suivi/r/${token}/attestation.pdf` }
          : {}),
      });
    } else if ("issues" in found) {
      sendJson(ctx.res, 422, { errors: found.issues });
    } else {
      sendJson(ctx.res, 404, { errors: [{ field: "", message: NOT_FOUND_MESSAGE }] });
    }
  });

  // ——— Counters (agents) ———

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
async function readAsAgent(deps: ApiDeps, agent: Agent, id: string): Promise<GuichetRequest> {
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

/** API errors: `{ errors: [{ field, message }] }`, French, the status from the HttpError. */
export function renderApiError(ctx: Ctx, err: HttpError): void {
  sendJson(ctx.res, err.status, { errors: err.errors });
}
