import { existsSync } from "node:fs";
import type { RequestListener } from "node:http";
import path from "node:path";
import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { NoticeTemplates } from "../../domain/notice-templates";
import { addAdminApi } from "../api/admin-api";
import { addAgentApi } from "../api/agent-api";
import { addApiKeysApi } from "../api/api-keys-api";
import { addFleetApi } from "../api/fleet-api";
import { addHandoverApi } from "../api/handover-api";
import { renderApiError } from "../api/json-body";
import {
  type Open311Commune,
  open311Router,
  renderOpen311Error,
  servedJurisdictions,
  singleJurisdiction,
} from "../api/open311";
import { addPublicApi } from "../api/public-api";
import type { CommuneDatabases } from "../couch/database-names";
import { createApp, type Mount } from "../http/app";
import { RateLimiter } from "../http/rate-limit";
import { sendHtml } from "../http/respond";
import { Router } from "../http/router";
import { staticApp } from "../http/static-files";
import { inboxRouter } from "../mail/inbox-page";
import { addMailCheckApi } from "../mail-intake/check-api";
import { demoMailboxRouter } from "../mail-intake/demo-page";
import type { MailDoor } from "../mail-intake/mail-door";
import { PORTAL_CSS_HASH } from "../portal/layout";
import { messagePage } from "../portal/pages";
import { portalRouter, renderPortalError } from "../portal/routes";
import { AgentAuth } from "../services/agent-auth";
import type { AttachmentStore } from "../services/attachment-store";
import type { IntakeDeps } from "../services/intake";
import type { Tokens } from "../services/tokens";
import type { SharedServer, SiteTarget } from "./options";
import type { SiteClients } from "./site-clients";

/** What a commune's HTTP handlers are given (its services, clients and live settings). */
export type SiteServices = {
  communeId: string;
  databases: CommuneDatabases;
  clients: SiteClients;
  commune: () => Commune;
  catalogue: () => Catalogue;
  noticeTemplates: () => Record<string, NoticeTemplates>;
  today: () => string;
  intake: IntakeDeps;
  tokens: Tokens;
  attachments: AttachmentStore;
  door: MailDoor | null;
  /** The commune's public address (the server's, plus `/c/<id>` for a registry commune). */
  publicUrl: () => string;
};

/**
 * The commune's HTTP handler: the portal, the JSON API (public, agents, hand-over, admin, mail
 * check), Open311, the development pages and the counter app, each with its own CSP and errors.
 * Registers the commune for Open311's `jurisdiction_id`; the returned `forget` removes it.
 */
export function siteHandler(
  base: SharedServer,
  target: SiteTarget,
  s: SiteServices,
): { handler: RequestListener; forget: () => void } {
  const open311Commune: Open311Commune = {
    id: s.communeId,
    intake: s.intake,
    mainDb: s.clients.mainDb,
    keys: s.clients.apiKeys,
  };
  base.open311.set(s.communeId, open311Commune);
  // One limit per client IP for the portal and the API alike (Open311 shares the submission one).
  const limits = limitersOf(base);
  const mounts: Mount[] = [
    portalMount(base, s, limits),
    apiMount(base, s, limits),
    {
      prefix: "/open311/",
      router: open311Router({
        jurisdictions: target.basePath
          ? singleJurisdiction(open311Commune)
          : servedJurisdictions(base.open311),
        submitLimiter: limits.submitLimiter,
        publicUrl: s.publicUrl,
        now: base.now,
      }),
      csp: "api",
      renderError: renderOpen311Error,
    },
    ...devMounts(base, s),
    ...counterAppMount(base, s),
  ];
  const handler = createApp({
    mounts,
    trustProxy: base.trustProxy,
    tls: base.tls,
    onError: base.logError,
    // Browsers may POST from the public address and the origins allowed to sync (desktop app).
    trustedOrigins: () => [base.publicUrl(), s.publicUrl(), ...base.config.corsOrigins],
  });
  return { handler, forget: () => void base.open311.delete(s.communeId) };
}

type Limiters = { followUpLimiter: RateLimiter; submitLimiter: RateLimiter | null };

function limitersOf(base: SharedServer): Limiters {
  const limits = base.opts.limits;
  const submitPerMinute = limits?.submitPerMinute === undefined ? 30 : limits.submitPerMinute;
  return {
    followUpLimiter: new RateLimiter(limits?.followUpPerMinute ?? 10, 60_000),
    submitLimiter: submitPerMinute === null ? null : new RateLimiter(submitPerMinute, 60_000),
  };
}

/** What the portal and the public API both use. */
function publicDeps(base: SharedServer, s: SiteServices, limits: Limiters) {
  return {
    commune: s.commune,
    catalogue: s.catalogue,
    intake: s.intake,
    mainDb: s.clients.mainDb,
    tokens: s.tokens,
    ...limits,
    today: s.today,
    followUpMinDelayMs: base.opts.followUpMinDelayMs ?? 150,
  };
}

function portalMount(base: SharedServer, s: SiteServices, limits: Limiters): Mount {
  return {
    prefix: "/",
    router: portalRouter({ ...publicDeps(base, s, limits), attachments: s.attachments }),
    csp: "page",
    styleHashes: [PORTAL_CSS_HASH],
    renderError: renderPortalError(s.commune),
  };
}

function apiMount(base: SharedServer, s: SiteServices, limits: Limiters): Mount {
  const { couch, opts, now } = base;
  const registry = base.workstations;
  const agents = new AgentAuth(s.clients.asAgents(), s.communeId, 60_000, registry);
  const asServer = (name: string) => s.clients.asServer.db(name);
  // Administration: catalogue, identity, services, agents (admins only; -config writes as the admin's own account).
  const admin = addAdminApi(new Router(), {
    agents,
    couch: s.clients.asAgents(),
    configDb: asServer(s.databases.config),
    admin: couch,
    commune: s.communeId,
    now,
  });
  addApiKeysApi(admin, { agents, keys: s.clients.apiKeys, now });
  addFleetApi(admin, {
    agents,
    commune: s.communeId,
    serverDb: s.clients.asServer.db(s.clients.serverDbName),
    logDb: asServer(s.databases.log),
    registry,
    now,
  });
  addMailCheckApi(admin, { agents, records: () => s.door?.records ?? null });
  addPublicApi(admin, publicDeps(base, s, limits));
  addAgentApi(admin, {
    commune: s.commune,
    catalogue: s.catalogue,
    noticeTemplates: s.noticeTemplates,
    today: s.today,
    agents,
    followUpUrl: () => `${s.publicUrl()}/suivi`,
    couch: s.clients.asAgents(),
    fleet: { registry, logDb: asServer(s.databases.log), commune: s.communeId },
    publicCouchUrl:
      opts.publicCouchUrl ?? base.env.GUICHET_PUBLIC_COUCH_URL?.trim() ?? couch.publicUrl ?? couch.url,
    databases: s.databases,
    serverDb: s.clients.stateDb,
    attachments: s.attachments,
    requestDb: asServer,
    now,
    ...(opts.limits?.workstationCodes ? { codeQuota: opts.limits.workstationCodes } : {}),
  });
  addHandoverApi(admin, { agents, databases: s.databases, db: asServer });
  return { prefix: "/api/", router: admin, csp: "api", renderError: renderApiError };
}

/** Demo mode only: the development mail inbox and the commune's demo mailbox. */
function devMounts(base: SharedServer, s: SiteServices): Mount[] {
  const page = {
    csp: "page",
    styleHashes: [PORTAL_CSS_HASH],
    renderError: renderPortalError(s.commune),
  } as const;
  const mounts: Mount[] = [];
  const sink = base.sink;
  if (sink) mounts.push({ prefix: "/dev/", router: inboxRouter(() => sink.messages()), ...page });
  if (base.dev && s.door?.demo)
    mounts.push({ prefix: "/dev/mairie", router: demoMailboxRouter(s.door), ...page });
  return mounts;
}

/** The built counter app at /guichet/, when it was built. */
function counterAppMount(base: SharedServer, s: SiteServices): Mount[] {
  const { opts, couch } = base;
  const rendererDir = opts.rendererDir ?? path.resolve("dist/renderer");
  if (!existsSync(path.join(rendererDir, "index.html"))) return [];
  return [
    {
      prefix: "/guichet/",
      router: new Router().get("/guichet/*", staticApp(rendererDir, "/guichet/")),
      csp: "app",
      connectSrc: [new URL(opts.publicCouchUrl ?? couch.publicUrl ?? couch.url).origin],
      renderError: (ctx, err) =>
        sendHtml(ctx.res, err.status, messagePage(s.commune(), "Erreur", err.message)),
    },
  ];
}
