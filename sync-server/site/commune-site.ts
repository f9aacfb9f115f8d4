import { createHmac } from "node:crypto";
import type { RequestListener } from "node:http";
import path from "node:path";
import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import { parisDate } from "../../domain/history";
import type { NoticeTemplates } from "../../domain/notice-templates";
import { MAX_TRACKING_SEQUENCE } from "../../domain/tracking-number";
import { loadWorkstations } from "../api/fleet-api";
import { type BootstrapResult, bootstrap } from "../couch/bootstrap";
import { BulkWriter } from "../couch/bulk-writer";
import { readCommuneConfig } from "../couch/config-docs";
import type { AckMailer } from "../jobs/ack-mailer";
import { configReload } from "../jobs/config-reload";
import type { DailyJobs } from "../jobs/daily-jobs";
import type { MailDoor } from "../mail-intake/mail-door";
import { AttachmentStore } from "../services/attachment-store";
import { BlockCounter } from "../services/counter";
import type { IntakeDeps } from "../services/intake";
import { PORTAL_WORKSTATION, portalCounterId } from "../services/server-codes";
import { Tokens } from "../services/tokens";
import type { SharedServer, SiteTarget } from "./options";
import { openSiteClients, type SiteClients } from "./site-clients";
import { startSiteJobs } from "./site-jobs";
import { startSiteMail } from "./site-mail";
import { siteHandler } from "./site-mounts";
import { StopList } from "./stop-list";

/** One commune's portal, API, Open311, mail and jobs, behind its own HTTP handler. */
export type CommuneSite = {
  id: string;
  handler: RequestListener;
  runDailyJobs: DailyJobs["run"];
  mailer: AckMailer;
  mailDoor: MailDoor | null;
  stop(): Promise<void>;
};

/**
 * Starts one commune, step by step: its databases (bootstrap), its clients, its live settings,
 * its services (attachments, signed links, intake), its mail, its HTTP handler, then its jobs.
 */
export async function startCommuneSite(base: SharedServer, target: SiteTarget): Promise<CommuneSite> {
  const stops = new StopList(base.logError);
  return stops.guard(async () => {
    const boot = await bootstrapCommune(base, target);
    const communeId = boot.commune;
    const clients = await openSiteClients(base.couch, boot, base.workstations);
    await followWorkstations(base, boot, clients, stops);
    const live = liveConfig(
      boot,
      (await readCommuneConfig(clients.admin.db(boot.databases.config))).noticeTemplates,
    );
    const today = () => parisDate(base.now().toISOString());
    const attachments = attachmentsOf(base, target, communeId);
    const serverUser = boot.serviceAccounts.server.name;
    const publicUrl = () => `${base.publicUrl()}${target.basePath}`;
    const site = { databases: boot.databases, clients, ...live.read, today, serverUser, attachments };

    const intake = intakeOf(base, boot, clients, live.read, attachments, stops);
    const mail = startSiteMail(
      base,
      target,
      {
        ...site,
        followUpUrl: () => `${publicUrl()}/suivi`,
        busy: () => intake.writer.backlog() >= 8,
      },
      stops,
    );
    const http = siteHandler(base, target, {
      ...site,
      communeId,
      intake,
      tokens: tokensOf(base, target, communeId),
      door: mail.door,
      publicUrl,
    });
    stops.add(http.forget);
    const daily = await startSiteJobs(
      base,
      {
        ...site,
        acks: mail.acks,
        door: mail.door,
        configReload: configReload({
          configDb: clients.asServer.db(boot.databases.config),
          read: () => readCommuneConfig(base.couch.admin.db(boot.databases.config)),
          apply: live.apply,
        }),
      },
      stops,
    );
    return {
      id: communeId,
      handler: http.handler,
      runDailyJobs: (day) => daily.run(day),
      mailer: mail.acks,
      mailDoor: mail.door,
      stop: () => stops.stopAll(),
    };
  });
}

async function bootstrapCommune(base: SharedServer, target: SiteTarget): Promise<BootstrapResult> {
  const boot = await bootstrap(base.couch, target.commune, target.catalogue, { env: target.env });
  for (const change of boot.changes) base.log(`[bootstrap] ${change}`);
  return boot;
}

type LiveRead = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  /** Each démarche's notice templates (admin-edited in -config). */
  noticeTemplates: () => Record<string, NoticeTemplates>;
};

/** Settings, catalogue and notice templates as last stored: an admin's edit takes effect without a restart. */
function liveConfig(
  boot: BootstrapResult,
  templates: Record<string, NoticeTemplates>,
): {
  read: LiveRead;
  apply: (stored: {
    commune?: Commune | null;
    catalogue?: Catalogue | null;
    noticeTemplates?: Record<string, NoticeTemplates>;
  }) => void;
} {
  let settings = boot.settings;
  let catalogue = boot.catalogue;
  let noticeTemplates = templates;
  return {
    read: { commune: () => settings, catalogue: () => catalogue, noticeTemplates: () => noticeTemplates },
    apply: (stored) => {
      if (stored.commune) settings = stored.commune;
      if (stored.catalogue) catalogue = stored.catalogue;
      if (stored.noticeTemplates) noticeTemplates = stored.noticeTemplates;
    },
  };
}

/**
 * The commune's workstations in the shared registry (the gateway and the API refuse a revoked
 * one). Another Guichet process on the same database issues and revokes too: read again every 30 s.
 */
async function followWorkstations(
  base: SharedServer,
  boot: BootstrapResult,
  clients: SiteClients,
  stops: StopList,
): Promise<void> {
  const registry = base.workstations;
  registry.addServiceAccounts([boot.serviceAccounts.portal.name, boot.serviceAccounts.server.name]);
  const records = { serverDb: clients.asServer.db(clients.serverDbName), registry, commune: boot.commune };
  await loadWorkstations(records);
  const timer = setInterval(() => void loadWorkstations(records).catch(base.logError), 30_000);
  timer.unref();
  stops.add(() => clearInterval(timer));
}

/** The default commune keeps the attachments folder of single-commune installs. */
function attachmentsOf(base: SharedServer, target: SiteTarget, communeId: string): AttachmentStore {
  return new AttachmentStore(
    target.basePath
      ? path.join(base.dataDir, "communes", communeId, "attachments")
      : path.join(base.dataDir, "attachments"),
  );
}

/**
 * Request ids may repeat between communes (same portal workstation code): a link signed for one
 * commune must be worthless at another's portal. The default commune keeps its key.
 */
function tokensOf(base: SharedServer, target: SiteTarget, communeId: string): Tokens {
  return new Tokens(
    target.basePath
      ? createHmac("sha256", base.tokenKey).update(`guichet-commune:${communeId}`).digest()
      : base.tokenKey,
  );
}

/** What the portal, the API and Open311 file citizens' submissions with. */
function intakeOf(
  base: SharedServer,
  boot: BootstrapResult,
  clients: SiteClients,
  live: LiveRead,
  attachments: AttachmentStore,
  stops: StopList,
): IntakeDeps {
  // Up to 4 batches in flight: one validated by the database while the next one forms.
  const writer = new BulkWriter(clients.mainDb, 100, 4);
  stops.add(() => writer.drain());
  return {
    ...live,
    // Not through the grouped (lingering) database: a citizen may be waiting on a reservation.
    tracking: new BlockCounter(
      clients.asServer.db(clients.serverDbName),
      portalCounterId(PORTAL_WORKSTATION),
      50,
      MAX_TRACKING_SEQUENCE,
    ),
    writer,
    portalUser: boot.serviceAccounts.portal.name,
    attachments,
    now: base.now,
  };
}
