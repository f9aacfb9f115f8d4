import { createHash } from "node:crypto";
import { type Catalogue, findDemarche } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import { sniffFileType } from "../../domain/file-type";
import type { NoticeTemplates } from "../../domain/notice-templates";
import { buildNotice, noticeEvents } from "../../domain/notices";
import type { AttachmentMeta, GuichetRequest } from "../../domain/request";
import { type CouchDb, CouchError, type CouchServer } from "../couch/couch-db";
import type { CommuneDatabases } from "../couch/database-names";
import { newWorkstationSecret, type WorkstationRegistry } from "../couch/workstation-registry";
import { readBody, requireMediaType } from "../http/body";
import { hasControlChars } from "../http/control-chars";
import { HttpError } from "../http/errors";
import { send, sendJson } from "../http/respond";
import type { Router } from "../http/router";
import type { Agent, AgentAuth } from "../services/agent-auth";
import type { AttachmentStore } from "../services/attachment-store";
import { attestationPdf } from "../services/attestation-pdf";
import { noticeLetterPdf } from "../services/notice-letter-pdf";
import { implicitAcceptanceBorn } from "../services/public-view";
import { allocateWorkstationCode, type CodeQuota, WorkstationCodeQuota } from "../services/workstation-codes";
import { writeFirstStatus } from "./fleet-api";
import { asObject, readJson } from "./json-body";

export type AgentApiDeps = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  /** Each démarche's notice templates: a letter says what the email would. */
  noticeTemplates?: () => Record<string, NoticeTemplates>;
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
  /** A request database, as the server account (uploads of requests handed over to a sensitive service). */
  requestDb: (name: string) => CouchDb;
  now: () => Date;
  /** Workstation codes per day (per agent, per server); defaults in workstation-codes.ts. */
  codeQuota?: CodeQuota;
  /** The citizens' follow-up page (named in letters). */
  followUpUrl: () => string;
  /** Workstation identities: the registry to add new ones to, and the -log database of status documents. */
  fleet?: { registry: WorkstationRegistry; logDb: CouchDb; commune: string };
};

/** JSON API v1 for the counters: agents log in with their own CouchDB account. */
export function addAgentApi(r: Router, deps: AgentApiDeps): Router {
  const codeQuota = new WorkstationCodeQuota(deps.codeQuota);
  r.get("/api/v1/workstation/config", async (ctx) => {
    const agent = await deps.agents.require(ctx.req, undefined, { unregistered: true });
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
    const agent = await deps.agents.require(ctx.req, undefined, { unregistered: true });
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
    codeQuota.take(agent.name);
    const identity = newWorkstationSecret();
    const record = await allocateWorkstationCode(deps.serverDb, {
      name,
      by: agent.name,
      at: deps.now().toISOString(),
      secretHash: identity.hash,
    });
    if (deps.fleet) {
      deps.fleet.registry.add(deps.fleet.commune, record);
      await writeFirstStatus(deps.fleet.logDb, record);
    }
    // The secret is shown this once: the server keeps only its hash.
    sendJson(ctx.res, 201, {
      code: record.code,
      secret: identity.secret,
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

  // A notice as a letter (domain/notices.ts), for citizens without an email.
  r.get("/api/v1/requests/:id/notices/:eventId", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const request = await readAsAgent(deps, agent, ctx.params.id ?? "");
    const eventId = (ctx.params.eventId ?? "").replace(/\.pdf$/, "");
    if (!noticeEvents(request).some((n) => n.eventId === eventId))
      throw new HttpError(404, "Aucun courrier à l'usager pour cet événement.");
    const commune = deps.commune();
    const notice = buildNotice(request, eventId, {
      commune,
      demarcheLabel: findDemarche(deps.catalogue(), request.demarche)?.label ?? request.subject,
      followUpUrl: deps.followUpUrl(),
      templates: deps.noticeTemplates?.()[request.demarche],
    });
    const pdf = await noticeLetterPdf(request, notice, commune, deps.today());
    send(ctx.res, 200, "application/pdf", pdf, {
      "Content-Disposition": `attachment; filename="courrier-${request.tracking}-${notice.kind}.pdf"`,
      "Cache-Control": "no-store",
    });
  });

  r.get("/api/v1/requests/:id/attachments/:sha256", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const request = await readAsAgent(deps, agent, ctx.params.id ?? "");
    // The request's own files, or those of a citizen's reply (email door, message_in events);
    // served only when this request is among the file's references, never by hash alone.
    const replyFiles = request.events.flatMap((e) => (e.kind === "message_in" ? e.attachments : []));
    const meta = [...request.attachments, ...replyFiles].find((a) => a.sha256 === ctx.params.sha256);
    const data = meta ? await deps.attachments.getFor(meta.sha256, request.id) : null;
    if (!meta || !data) throw new HttpError(404, "Pièce jointe introuvable.");
    send(ctx.res, 200, meta.mime, data, {
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(meta.name)}`,
      "Cache-Control": "private, no-store",
    });
  });

  // The workstation that recorded a request sends its attachments once the request has reached the
  // server. The bytes must be exactly those the request declares (SHA-256, size, type), so an upload
  // can neither replace a file nor add one; sending twice is harmless.
  r.on("PUT", "/api/v1/requests/:id/attachments/:sha256", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const request = await readForUpload(deps, agent, ctx.params.id ?? "");
    const meta = request.attachments.find((a) => a.sha256 === ctx.params.sha256);
    // Gone, not missing: the request no longer declares it (anonymised, corrected), the workstation drops it.
    if (!meta) throw new HttpError(410, "Cette pièce jointe ne figure pas (ou plus) sur la demande.");
    requireMediaType(ctx.req, [meta.mime]);
    const data = await readBody(ctx.req, meta.size);
    if (data.length !== meta.size || createHash("sha256").update(data).digest("hex") !== meta.sha256) {
      const message = "Le fichier reçu ne correspond pas à celui de la demande (envoi altéré).";
      throw new HttpError(422, message, [{ field: "body", message }]);
    }
    if (sniffFileType(data) !== meta.mime) {
      const message = `Le contenu du fichier n'est pas ${TYPE_NAMES[meta.mime]}, comme la demande l'annonce.`;
      throw new HttpError(422, message, [{ field: "body", message }]);
    }
    await deps.attachments.put(data, meta.name, meta.mime);
    await deps.attachments.addRef(meta.sha256, request.id);
    sendJson(ctx.res, 201, { id: meta.id, sha256: meta.sha256, size: meta.size });
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

const TYPE_NAMES: Record<AttachmentMeta["mime"], string> = {
  "application/pdf": "un PDF",
  "image/jpeg": "une image JPEG",
  "image/png": "une image PNG",
};

/**
 * The request an agent may send files for: one they can read, or one they recorded or worked on
 * (a counter hands sensitive requests over and can no longer read them). Read as the server.
 */
async function readForUpload(deps: AgentApiDeps, agent: Agent, id: string): Promise<GuichetRequest> {
  if (!/^[0-9A-Z]{8}$/.test(id)) throw new HttpError(404, "Demande introuvable.");
  for (const db of [deps.databases.main, ...Object.values(deps.databases.sensitive)]) {
    const request = await deps.requestDb(db).get<GuichetRequest>(id);
    if (!request) continue;
    if (request.events.some((e) => e.by === agent.name)) return request;
    return readAsAgent(deps, agent, id);
  }
  // Not arrived yet: the workstation tries again after its next push.
  throw new HttpError(404, "Demande introuvable.");
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
