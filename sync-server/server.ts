import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import type { RequestListener } from "node:http";
import path from "node:path";
import type { Catalogue } from "../domain/catalogue";
import type { Commune } from "../domain/commune";
import { parisDate } from "../domain/history";
import { MAX_TRACKING_SEQUENCE } from "../domain/tracking-number";
import { addAdminApi } from "./api/admin-api";
import { addAgentApi } from "./api/agent-api";
import { addHandoverApi } from "./api/handover";
import { renderApiError } from "./api/json-body";
import {
  OPEN311_INDEX,
  type Open311Commune,
  open311Router,
  renderOpen311Error,
  servedJurisdictions,
  singleJurisdiction,
} from "./api/open311";
import { addPublicApi } from "./api/public-api";
import { CommuneRouter } from "./communes/commune-router";
import { watchRegistry } from "./communes/registry-watch";
import { loadConfig, type ServerConfig } from "./config";
import { bootstrap } from "./couch/bootstrap";
import { readCommuneConfig } from "./couch/config-docs";
import { type Couch, connectCouch } from "./couch/couch";
import { type CouchDb, couchServer } from "./couch/couch-db";
import { createApp, type Mount } from "./http/app";
import { batchedDb } from "./http/batched-db";
import { BulkWriter } from "./http/bulk-writer";
import { listen, type TlsFiles, tlsFromEnv } from "./http/listen";
import { RateLimiter } from "./http/rate-limit";
import { sendHtml } from "./http/respond";
import { Router } from "./http/router";
import { staticApp } from "./http/static-files";
import { type AckMailer, ackComposer, startAckMailer } from "./jobs/ack-mailer";
import { followChanges } from "./jobs/changes-feed";
import { startConflictMerger } from "./jobs/conflict-merger";
import { type DailyJobs, startDailyJobs } from "./jobs/daily-jobs";
import { instanceIdentity } from "./jobs/instance-identity";
import { inboxRouter } from "./mail/inbox-page";
import { createMailer, heldMailer, isLoopback } from "./mail/mailer";
import { Outbox } from "./mail/outbox";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "./mail/smtp-sink";
import { addMailCheckApi } from "./mail-intake/check-api";
import { demoMailboxRouter } from "./mail-intake/demo-page";
import { type MailDoor, type MailDoorOptions, startMailDoor } from "./mail-intake/mail-door";
import { PORTAL_CSS_HASH } from "./portal/layout";
import { messagePage } from "./portal/pages";
import { portalRouter, renderPortalError } from "./portal/routes";
import { AgentAuth } from "./services/agent-auth";
import { ApiKeys, addApiKeysApi, apiKeyDatabaseName, ensureApiKeyDatabase } from "./services/api-keys";
import { AttachmentStore } from "./services/attachment-store";
import { BlockCounter } from "./services/counter";
import type { IntakeDeps } from "./services/intake";
import { PORTAL_WORKSTATION, portalCounterId } from "./services/server-codes";
import { ensureServerDatabase } from "./services/server-db";
import { Tokens, tokenKey } from "./services/tokens";
import type { CodeQuota } from "./services/workstation-codes";

export type GuichetServerOptions = {
  /** Environment read for everything not given here (process.env by default). */
  env?: NodeJS.ProcessEnv;
  /** Database connection settings; `loadConfig(env)` by default. */
  config?: ServerConfig;
  /** An already connected database server (tests): used as is and left running by `stop()`. */
  couch?: Couch;
  commune?: string | Commune;
  catalogue?: Catalogue;
  /** GUICHET_PORT, default 3000; 0 picks a free port. */
  port?: number;
  /** GUICHET_HOST, default 127.0.0.1 (put a TLS reverse proxy in front for the public). */
  host?: string;
  /** SMTP_URL (smtp://user:pass@host:587 or smtps://…); absent: the dev sink, or mails wait. */
  smtpUrl?: string;
  /**
   * Demo mode: without SMTP_URL, a local SMTP sink and /dev/inbox, only when listening on loopback.
   * Default true (tests); `npm start -- --no-demo` passes false: no sink, mails wait in the outbox.
   */
  dev?: boolean;
  /** Address citizens use (links in emails); GUICHET_PUBLIC_URL, else the listening URL. */
  publicUrl?: string;
  /** CouchDB address given to counters; GUICHET_PUBLIC_COUCH_URL, else the server's own. */
  publicCouchUrl?: string;
  /** The clock of the jobs and of "today" (tests move it). */
  now?: () => Date;
  /** Periodic daily jobs (deadline watcher, retention); `false` runs them only when asked. */
  jobs?: boolean | { intervalMs?: number };
  mail?: { retryBaseMs?: number; leaseMs?: number; maxAgeDays?: number };
  /** Identifies this installation's process in mail claims; kept in DATA_DIR by default. */
  instanceId?: string;
  tls?: TlsFiles | null;
  /** The email door (GUICHET_IMAP_URL; demo mailbox in dev mode); `false` turns it off. */
  mailIntake?: MailDoorOptions | false;
  /** Behind a reverse proxy (GUICHET_TRUST_PROXY=1): client IP and scheme from X-Forwarded-*. */
  trustProxy?: boolean;
  /** Per client IP and minute; `submitPerMinute: null` disables that limit (benchmarks). */
  limits?: {
    followUpPerMinute?: number;
    submitPerMinute?: number | null;
    /** Workstation codes per day, per agent and per server (default 30 and 200). */
    workstationCodes?: CodeQuota;
  };
  /** Minimum answer time of a follow-up lookup (hides which path the database took). */
  followUpMinDelayMs?: number;
  /** The built counter app, served at /guichet/ when the folder exists. */
  rendererDir?: string;
  log?: (message: string) => void;
};

export type GuichetServer = {
  url: string;
  couchUrl: string;
  commune: string;
  smtp: { messages(): ReceivedMail[]; url?: string; sink?: SmtpSink };
  /** Runs the daily jobs now (for `today`, default the clock's day). */
  runDailyJobs: DailyJobs["run"];
  mailer: AckMailer;
  /** The commune's email door, when it has one. */
  mailDoor: MailDoor | null;
  /** The communes of the registry served besides the default one (by host name or /c/<id>/). */
  communes: {
    ids(): string[];
    /** Reads the registry now instead of waiting for its changes feed. */
    reload(): Promise<void>;
    runDailyJobs(id: string, day?: string): ReturnType<DailyJobs["run"]>;
  };
  stop(): Promise<void>;
};

/** What every commune served by one process shares: the database server, mail sink, clock, log. */
type Shared = {
  opts: GuichetServerOptions;
  env: NodeJS.ProcessEnv;
  config: ServerConfig;
  couch: Couch;
  log: (message: string) => void;
  logError: (e: unknown) => void;
  now: () => Date;
  dataDir: string;
  instanceId: string;
  /** Signs the portal's links; each commune but the default one signs with a key derived from it. */
  tokenKey: Buffer;
  sink: SmtpSink | undefined;
  smtpUrl: string | undefined;
  dev: boolean;
  /** The server's listening (or public) URL, known once listening. */
  publicUrl: () => string;
  /** Every commune served, for Open311's `jurisdiction_id` at the default address. */
  open311: Map<string, Open311Commune>;
  /** An Apache CouchDB cluster (several nodes): writes may then leave sibling revisions. */
  clustered: boolean;
};

/** One commune's portal, API, Open311, mail and jobs, behind its own HTTP handler. */
type CommuneSite = {
  id: string;
  handler: RequestListener;
  runDailyJobs: DailyJobs["run"];
  mailer: AckMailer;
  mailDoor: MailDoor | null;
  stop(): Promise<void>;
};

/**
 * The whole server side: database (embedded PouchDB Server unless COUCHDB_URL), bootstrap,
 * mail (SMTP_URL or a local sink), the HTTP app (portal, JSON API, Open311, dev inbox, the
 * counter app) and the jobs (accusés by email, deadlines, retention), for the default commune and
 * for every commune of the registry (communes/registry.ts), chosen by host name or by /c/<id>/.
 */
export async function startGuichetServer(opts: GuichetServerOptions = {}): Promise<GuichetServer> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => console.log(m));
  const logError = (e: unknown) => log(`[guichet] ${(e as Error)?.stack ?? String(e)}`);
  const now = opts.now ?? (() => new Date());
  const config = opts.config ?? loadConfig(env);
  const ownsCouch = !opts.couch;
  const couch = opts.couch ?? (await connectCouch(config));
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse().splice(0)) await Promise.resolve(c()).catch(logError);
  };
  if (ownsCouch) cleanups.push(() => couch.stop());

  try {
    const dataDir = couch.dataDir ?? config.dataDir;
    const identity = opts.instanceId
      ? { id: opts.instanceId, release: () => undefined }
      : instanceIdentity(dataDir);
    cleanups.push(() => identity.release());
    const port = opts.port ?? Number(env.GUICHET_PORT ?? 3000);
    const host = opts.host ?? env.GUICHET_HOST?.trim() ?? "127.0.0.1";
    const tls = opts.tls === null ? undefined : (opts.tls ?? tlsFromEnv(env));
    const trustProxy = opts.trustProxy ?? env.GUICHET_TRUST_PROXY === "1";
    // Mail (one relay for every commune): a real one; or, in demo mode on loopback only, the
    // development sink and /dev/inbox (it shows citizens' addresses and tracking numbers), never
    // behind a reverse proxy; otherwise mails wait in the outboxes.
    const smtpUrl = opts.smtpUrl ?? env.SMTP_URL?.trim();
    const dev = !smtpUrl && (opts.dev ?? true) && isLoopback(host) && !trustProxy;
    let sink: SmtpSink | undefined;
    if (dev) {
      sink = await startSmtpSink();
      cleanups.push(() => sink?.stop());
    }
    let listeningUrl = "";
    const shared: Shared = {
      opts,
      env,
      config,
      couch,
      log,
      logError,
      now,
      dataDir,
      instanceId: identity.id,
      tokenKey: tokenKey(dataDir),
      sink,
      smtpUrl,
      dev,
      publicUrl: () => opts.publicUrl ?? (env.GUICHET_PUBLIC_URL?.trim() || listeningUrl),
      open311: new Map(),
      clustered: await isCluster(
        couchServer(couch.url, { username: couch.adminUser, password: couch.adminPassword }),
      ),
    };

    const main = await startCommuneSite(shared, {
      commune: opts.commune ?? config.commune,
      catalogue: opts.catalogue,
      env,
      basePath: "",
    });
    cleanups.push(() => main.stop());
    const router = new CommuneRouter(main, logError);
    cleanups.push(() => router.stopAll());
    const registry = await watchRegistry(couch, {
      onEntries: (entries) =>
        router.reconcile(entries, (entry) =>
          startCommuneSite(shared, { commune: entry.id, env: {}, basePath: `/c/${entry.id}` }),
        ),
      onError: logError,
    });
    cleanups.push(() => registry.stop());

    const server = await listen(router.handler, { port, host, tls });
    cleanups.push(() => server.close());
    listeningUrl = server.url;
    // The counter app served here (/guichet/) syncs with CouchDB from the browser: allow this origin.
    await couch.allowOrigins?.(sameHostOrigins(server.url));

    return {
      url: server.url,
      couchUrl: couch.publicUrl ?? couch.url,
      commune: main.id,
      smtp: {
        messages: () => sink?.messages() ?? [],
        ...(sink ? { url: sink.url, sink } : { url: smtpUrl }),
      },
      runDailyJobs: (day) => main.runDailyJobs(day),
      mailer: main.mailer,
      mailDoor: main.mailDoor,
      communes: {
        ids: () => router.ids(),
        reload: () => registry.reload(),
        runDailyJobs: (id, day) => router.site(id).runDailyJobs(day),
      },
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

async function startCommuneSite(
  base: Shared,
  target: { commune: string | Commune; catalogue?: Catalogue; env: NodeJS.ProcessEnv; basePath: string },
): Promise<CommuneSite> {
  const { opts, couch, log, logError, now, dataDir, instanceId, sink, smtpUrl, dev } = base;
  const env = target.env;
  const today = () => parisDate(now().toISOString());
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse().splice(0)) await Promise.resolve(c()).catch(logError);
  };

  try {
    const boot = await bootstrap(couch, target.commune, target.catalogue, { env });
    for (const change of boot.changes) log(`[bootstrap] ${change}`);
    const communeId = boot.commune;
    const dbs = boot.databases;
    let settings = boot.settings;
    let catalogue = boot.catalogue;
    const commune = () => settings;
    const currentCatalogue = () => catalogue;
    const requestDatabases = [dbs.main, ...Object.values(dbs.sensitive)];

    const admin = couchServer(couch.url, { username: couch.adminUser, password: couch.adminPassword });
    const portalAccount = boot.serviceAccounts.portal;
    const serverAccount = boot.serviceAccounts.server;
    const asPortal = couchServer(couch.url, {
      username: portalAccount.name,
      password: portalAccount.password,
    });
    const asServer = couchServer(couch.url, {
      username: serverAccount.name,
      password: serverAccount.password,
    });
    const serverDbName = await ensureServerDatabase(admin, communeId);
    await ensureApiKeyDatabase(admin, communeId);
    const apiKeys = new ApiKeys(asServer.db(apiKeyDatabaseName(communeId)));
    await admin
      .db(dbs.main)
      .createIndex({ fields: OPEN311_INDEX.fields }, OPEN311_INDEX.ddoc, OPEN311_INDEX.name);
    // The outbox and the jobs do many small reads and writes: grouped under load (group commit).
    const batchedServerDbs = new Map<string, CouchDb>();
    const serverDb = (name: string): CouchDb => {
      let db = batchedServerDbs.get(name);
      if (!db) {
        db = batchedDb(asServer.db(name), { lingerMs: 50 });
        batchedServerDbs.set(name, db);
      }
      return db;
    };
    const stateDb = serverDb(serverDbName);
    const mainDb = asPortal.db(dbs.main);

    // Settings and catalogue edited by an admin take effect without a restart.
    const configFollower = followChanges(asServer.db(dbs.config), {
      checkpointId: "guichet-config-reload",
      checkpoints: asServer.db(serverDbName),
      onDocs: async () => {
        const stored = await readCommuneConfig(couch.admin.use(dbs.config));
        if (stored.commune) settings = stored.commune;
        if (stored.catalogue) catalogue = stored.catalogue;
      },
      onError: logError,
    });
    cleanups.push(() => configFollower.stop());

    // The default commune keeps the attachments folder of single-commune installs.
    const attachments = new AttachmentStore(
      target.basePath
        ? path.join(dataDir, "communes", communeId, "attachments")
        : path.join(dataDir, "attachments"),
    );

    // Request ids may repeat between communes (same portal workstation code): a link signed for
    // one commune must be worthless at another's portal. The default commune keeps its key.
    const tokens = new Tokens(
      target.basePath
        ? createHmac("sha256", base.tokenKey).update(`guichet-commune:${communeId}`).digest()
        : base.tokenKey,
    );
    const serverEnv = base.env;
    const tls = opts.tls === null ? undefined : (opts.tls ?? tlsFromEnv(serverEnv));
    const trustProxy = opts.trustProxy ?? serverEnv.GUICHET_TRUST_PROXY === "1";

    // Mail: the shared relay or development sink (startGuichetServer); without either, mails
    // wait in the outbox. GUICHET_MAIL_FROM is the default commune's; the others send from their own domain.
    const fromAddress = env.GUICHET_MAIL_FROM?.trim() || `ne-pas-repondre@${domainOf(settings.email)}`;
    const relay = smtpUrl ?? sink?.url;
    const from = { name: settings.name, address: fromAddress };
    const mailer = relay ? createMailer(relay, from) : heldMailer();
    cleanups.push(() => mailer.close());

    // The URL is known once listening; links in mails need it, so they read it lazily.
    const communePublicUrl = () => `${base.publicUrl()}${target.basePath}`;
    // The mailer job starts after the HTTP server; the outbox and the intake reach it through this.
    const mailJob = { current: null as AckMailer | null };
    // Set once the email door is up: mails then carry a reply address naming their request.
    const mailDoorAddress = { current: undefined as string | undefined };
    const outbox = new Outbox({
      stateDb,
      // Not lingering (the resend window), but grouped when several are due together.
      urgentStateDb: batchedDb(asServer.db(serverDbName), { writesInFlight: 1 }),
      // A cluster may accept two creators of one claim: confirm by quorum reads (outbox.ts).
      ...(base.clustered ? { claimDb: asServer.db(serverDbName) } : {}),
      requestDb: serverDb,
      mailer,
      compose: ackComposer({
        catalogue: currentCatalogue,
        commune,
        today,
        get followUpUrl() {
          return `${communePublicUrl()}/suivi`;
        },
        messageIdDomain: domainOf(fromAddress),
        replyAddress: () => mailDoorAddress.current,
      }),
      instanceId,
      serverUser: serverAccount.name,
      now,
      ...(opts.mail?.leaseMs ? { leaseMs: opts.mail.leaseMs } : {}),
      ...(opts.mail?.retryBaseMs ? { retryBaseMs: opts.mail.retryBaseMs } : {}),
      onError: logError,
      onDue: (database, requestId) => mailJob.current?.retry(database, requestId) ?? Promise.resolve(),
    });
    cleanups.push(() => outbox.stop());

    // Up to 4 batches in flight: one validated by the database while the next one forms.
    const writer = new BulkWriter(mainDb, 100, 4);
    cleanups.push(() => writer.drain());
    const intake: IntakeDeps = {
      commune,
      catalogue: currentCatalogue,
      // Not through the grouped (lingering) database: a citizen may be waiting on a reservation.
      tracking: new BlockCounter(
        asServer.db(serverDbName),
        portalCounterId(PORTAL_WORKSTATION),
        50,
        MAX_TRACKING_SEQUENCE,
      ),
      writer,
      portalUser: portalAccount.name,
      attachments,
      now,
    };
    // The email door: the commune's mailbox feeds the same pipeline (mail-intake/).
    const door = startMailDoor(opts.mailIntake, {
      env,
      dev,
      communeEmail: settings.email,
      serverDb: stateDb,
      counterDb: asServer.db(serverDbName),
      commune,
      catalogue: currentCatalogue,
      requestDb: serverDb(dbs.main),
      attachments,
      serverUser: serverAccount.name,
      now,
      onStored: (r) => void mailJob.current?.process(dbs.main, r).catch(logError),
      onError: logError,
    });
    if (door) cleanups.push(() => door.intake.stop());
    mailDoorAddress.current = door?.address;
    const followUpLimiter = new RateLimiter(opts.limits?.followUpPerMinute ?? 10, 60_000);
    const submitPerMinute = opts.limits?.submitPerMinute === undefined ? 30 : opts.limits.submitPerMinute;
    const submitLimiter = submitPerMinute === null ? null : new RateLimiter(submitPerMinute, 60_000);
    const followUpMinDelayMs = opts.followUpMinDelayMs ?? 150;
    const agents = new AgentAuth(couchServer(couch.url), communeId);
    const shared = {
      commune,
      catalogue: currentCatalogue,
      intake,
      mainDb,
      tokens,
      followUpLimiter,
      submitLimiter,
      today,
    };

    // Administration: catalogue, identity, services, agents (admins only; -config writes as the admin's own account).
    const adminRouter = addAdminApi(new Router(), {
      agents,
      couch: couchServer(couch.url),
      configDb: asServer.db(dbs.config),
      admin: couch,
      commune: communeId,
      now,
    });
    addApiKeysApi(adminRouter, { agents, keys: apiKeys, now });
    const open311Commune: Open311Commune = { id: communeId, intake, mainDb, keys: apiKeys };
    base.open311.set(communeId, open311Commune);
    cleanups.push(() => void base.open311.delete(communeId));
    const mounts: Mount[] = [
      {
        prefix: "/",
        router: portalRouter({ ...shared, attachments, followUpMinDelayMs }),
        csp: "page",
        styleHashes: [PORTAL_CSS_HASH],
        renderError: renderPortalError(commune),
      },
      {
        prefix: "/api/",
        router: addHandoverApi(
          addAgentApi(
            addPublicApi(addMailCheckApi(adminRouter, { agents, records: () => door?.records ?? null }), {
              ...shared,
              followUpMinDelayMs,
            }),
            {
              commune,
              catalogue: currentCatalogue,
              today,
              agents,
              followUpUrl: () => `${communePublicUrl()}/suivi`,
              couch: couchServer(couch.url),
              publicCouchUrl:
                opts.publicCouchUrl ??
                serverEnv.GUICHET_PUBLIC_COUCH_URL?.trim() ??
                couch.publicUrl ??
                couch.url,
              databases: dbs,
              serverDb: stateDb,
              attachments,
              requestDb: (name: string) => asServer.db(name),
              now,
              ...(opts.limits?.workstationCodes ? { codeQuota: opts.limits.workstationCodes } : {}),
            },
          ),
          { agents, databases: dbs, db: (name: string) => asServer.db(name) },
        ),
        csp: "api",
        renderError: renderApiError,
      },
      {
        prefix: "/open311/",
        router: open311Router({
          jurisdictions: target.basePath
            ? singleJurisdiction(open311Commune)
            : servedJurisdictions(base.open311),
          submitLimiter,
          publicUrl: communePublicUrl,
          now,
        }),
        csp: "api",
        renderError: renderOpen311Error,
      },
    ];
    if (sink) {
      const s = sink;
      mounts.push({
        prefix: "/dev/",
        router: inboxRouter(() => s.messages()),
        csp: "page",
        styleHashes: [PORTAL_CSS_HASH],
        renderError: renderPortalError(commune),
      });
    }
    if (dev && door?.demo)
      mounts.push({
        prefix: "/dev/mairie",
        router: demoMailboxRouter(door),
        csp: "page",
        styleHashes: [PORTAL_CSS_HASH],
        renderError: renderPortalError(commune),
      });
    const rendererDir = opts.rendererDir ?? path.resolve("dist/renderer");
    if (existsSync(path.join(rendererDir, "index.html"))) {
      const app = new Router().get("/guichet/*", staticApp(rendererDir, "/guichet/"));
      mounts.push({
        prefix: "/guichet/",
        router: app,
        csp: "app",
        connectSrc: [new URL(opts.publicCouchUrl ?? couch.publicUrl ?? couch.url).origin],
        renderError: (ctx, err) =>
          sendHtml(ctx.res, err.status, messagePage(commune(), "Erreur", err.message)),
      });
    }

    const handler = createApp({
      mounts,
      trustProxy,
      tls: !!tls,
      onError: logError,
      // Browsers may POST from the public address and the origins allowed to sync (desktop app).
      trustedOrigins: () => [base.publicUrl(), communePublicUrl(), ...base.config.corsOrigins],
    });

    let mailerJob: AckMailer | null = null;
    let daily: DailyJobs;
    const jobsEnabled = opts.jobs !== false;
    await outbox.resume();
    mailerJob = startAckMailer({
      databases: requestDatabases,
      db: serverDb,
      checkpoints: asServer.db(serverDbName),
      outbox,
      catalogue: currentCatalogue,
      today,
      instanceId,
      maxAgeDays: opts.mail?.maxAgeDays ?? 30,
      busy: () => writer.backlog() >= 8,
      onError: logError,
    });
    mailJob.current = mailerJob;
    cleanups.push(() => mailerJob?.stop());
    // Sibling revisions (a cluster with a node down) merged into one, so no branch's events are lost.
    const merger = startConflictMerger({
      databases: requestDatabases,
      // Unbatched: rare writes, each answered as CouchDB answers it (409 on a moved revision).
      db: (name) => asServer.db(name),
      checkpoints: asServer.db(serverDbName),
      instanceId,
      onError: logError,
    });
    cleanups.push(() => merger.stop());
    daily = startDailyJobs({
      databases: requestDatabases,
      db: serverDb,
      compact: async (name) => {
        await admin.request(`${encodeURIComponent(name)}/_compact`, { method: "POST", body: {} });
      },
      commune,
      catalogue: currentCatalogue,
      today,
      now,
      serverUser: serverAccount.name,
      attachments,
      intervalMs: jobsEnabled
        ? typeof opts.jobs === "object"
          ? (opts.jobs.intervalMs ?? 3_600_000)
          : 3_600_000
        : null,
      onError: logError,
    });
    cleanups.push(() => daily.stop());

    return {
      id: communeId,
      handler,
      runDailyJobs: (day) => daily.run(day),
      mailer: mailerJob,
      mailDoor: door,
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}

/** The server's origin, and the same port under the other loopback name (a user may type either). */
function sameHostOrigins(url: string): string[] {
  const u = new URL(url);
  const origins = [u.origin];
  const other = u.hostname === "127.0.0.1" ? "localhost" : u.hostname === "localhost" ? "127.0.0.1" : null;
  if (other) origins.push(`${u.protocol}//${other}${u.port ? `:${u.port}` : ""}`);
  return origins;
}

/** Several nodes in `_membership` (PouchDB Server has no such endpoint: one node). */
async function isCluster(admin: ReturnType<typeof couchServer>): Promise<boolean> {
  const membership = (await admin.request("_membership").catch(() => null)) as {
    cluster_nodes?: unknown[];
  } | null;
  return (membership?.cluster_nodes?.length ?? 0) > 1;
}

function domainOf(email: string): string {
  return email.split("@")[1]?.trim() || "guichet.invalid";
}
