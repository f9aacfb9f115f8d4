import { CommuneRouter } from "./communes/commune-router";
import { listCommunes } from "./communes/registry";
import { watchRegistry } from "./communes/registry-watch";
import { loadConfig } from "./config";
import { connectCouch } from "./couch/couch";
import { type CouchServer, couchServer } from "./couch/couch-db";
import { WorkstationRegistry } from "./couch/workstation-registry";
import { listen, tlsFromEnv } from "./http/listen";
import type { AckMailer } from "./jobs/ack-mailer";
import type { DailyJobs } from "./jobs/daily-jobs";
import { instanceIdentity } from "./jobs/instance-identity";
import { isLoopback } from "./mail/mailer";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "./mail/smtp-sink";
import type { MailDoor } from "./mail-intake/mail-door";
import { tokenKey } from "./services/tokens";
import { startCommuneSite } from "./site/commune-site";
import type { GuichetServerOptions, SharedServer } from "./site/options";
import { StopList } from "./site/stop-list";

export type { GuichetServerOptions } from "./site/options";

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

/**
 * The whole server side: database (embedded PouchDB Server unless COUCHDB_URL), bootstrap,
 * mail (SMTP_URL or a local sink), the HTTP app (portal, JSON API, Open311, dev inbox, the
 * counter app) and the jobs (accusés by email, deadlines, retention), for the default commune and
 * for every commune of the registry (communes/registry.ts), chosen by host name or by /c/<id>/.
 * Steps: the shared parts, the default commune, the registry's communes, then listening.
 */
export async function startGuichetServer(opts: GuichetServerOptions = {}): Promise<GuichetServer> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? ((m: string) => console.log(m));
  const logError = (e: unknown) => log(`[guichet] ${(e as Error)?.stack ?? String(e)}`);
  const config = opts.config ?? loadConfig(env);
  const stops = new StopList(logError);
  const couch = opts.couch ?? (await connectCouch(config));
  if (!opts.couch) stops.add(() => couch.stop());

  return stops.guard(async () => {
    let listeningUrl = "";
    const shared = await openShared({ opts, env, config, couch, log, logError }, () => listeningUrl, stops);
    const mainId = typeof opts.commune === "object" ? opts.commune.id : (opts.commune ?? config.commune);
    const mainMailbox = (await listCommunes(couch)).find((e) => e.id === mainId)?.mailbox;
    const main = await startCommuneSite(shared, {
      commune: opts.commune ?? config.commune,
      ...(mainMailbox ? { mailbox: mainMailbox } : {}),
      catalogue: opts.catalogue,
      env,
      basePath: "",
    });
    stops.add(() => main.stop());
    const router = new CommuneRouter(main, logError);
    stops.add(() => router.stopAll());
    const registry = await watchRegistry(couch, {
      onEntries: (entries) =>
        router.reconcile(
          entries,
          (entry) =>
            startCommuneSite(shared, {
              commune: entry.id,
              env: {},
              basePath: `/c/${entry.id}`,
              ...(entry.mailbox ? { mailbox: entry.mailbox } : {}),
            }),
          // A changed mailbox setting starts the commune again with it.
          (entry) => JSON.stringify(entry.mailbox ?? null),
        ),
      onError: logError,
    });
    stops.add(() => registry.stop());

    const server = await listen(router.handler, {
      port: opts.port ?? Number(env.GUICHET_PORT ?? 3000),
      host: hostOf(opts, env),
      tls: tlsOf(opts, env),
    });
    stops.add(() => server.close());
    listeningUrl = server.url;
    // The counter app served here (/guichet/) syncs with CouchDB from the browser: allow this origin.
    await couch.allowOrigins?.(sameHostOrigins(server.url));

    const sink = shared.sink;
    return {
      url: server.url,
      couchUrl: couch.publicUrl ?? couch.url,
      commune: main.id,
      smtp: {
        messages: () => sink?.messages() ?? [],
        ...(sink ? { url: sink.url, sink } : { url: shared.smtpUrl }),
      },
      runDailyJobs: (day) => main.runDailyJobs(day),
      mailer: main.mailer,
      mailDoor: main.mailDoor,
      communes: {
        ids: () => router.ids(),
        reload: () => registry.reload(),
        runDailyJobs: (id, day) => router.site(id).runDailyJobs(day),
      },
      stop: () => stops.stopAll(),
    };
  });
}

/**
 * What every commune of this process shares: the instance's identity, the signing key, the mail
 * relay (a real one; or, in demo mode on loopback only, the development sink and /dev/inbox, which
 * show citizens' addresses and tracking numbers, never behind a reverse proxy; otherwise mails
 * wait in the outboxes), and whether CouchDB is a cluster.
 */
async function openShared(
  given: Pick<SharedServer, "opts" | "env" | "config" | "couch" | "log" | "logError">,
  listeningUrl: () => string,
  stops: StopList,
): Promise<SharedServer> {
  const { opts, env, couch } = given;
  const dataDir = couch.dataDir ?? given.config.dataDir;
  const identity = opts.instanceId
    ? { id: opts.instanceId, release: () => undefined }
    : instanceIdentity(dataDir);
  stops.add(() => identity.release());
  const trustProxy = opts.trustProxy ?? env.GUICHET_TRUST_PROXY === "1";
  const smtpUrl = opts.smtpUrl ?? env.SMTP_URL?.trim();
  const dev = !smtpUrl && (opts.dev ?? true) && isLoopback(hostOf(opts, env)) && !trustProxy;
  const sink = dev ? await startSmtpSink() : undefined;
  if (sink) stops.add(() => sink.stop());
  return {
    ...given,
    now: opts.now ?? (() => new Date()),
    dataDir,
    instanceId: identity.id,
    tokenKey: tokenKey(dataDir),
    sink,
    smtpUrl,
    dev,
    tls: !!tlsOf(opts, env),
    trustProxy,
    publicUrl: () => opts.publicUrl ?? (env.GUICHET_PUBLIC_URL?.trim() || listeningUrl()),
    open311: new Map(),
    workstations: couch.workstations ?? new WorkstationRegistry(false),
    clustered: await isCluster(
      couchServer(couch.url, { username: couch.adminUser, password: couch.adminPassword }),
    ),
  };
}

function hostOf(opts: GuichetServerOptions, env: NodeJS.ProcessEnv): string {
  return opts.host ?? env.GUICHET_HOST?.trim() ?? "127.0.0.1";
}

function tlsOf(opts: GuichetServerOptions, env: NodeJS.ProcessEnv) {
  return opts.tls === null ? undefined : (opts.tls ?? tlsFromEnv(env));
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
async function isCluster(admin: CouchServer): Promise<boolean> {
  const membership = (await admin.request("_membership").catch(() => null)) as {
    cluster_nodes?: unknown[];
  } | null;
  return (membership?.cluster_nodes?.length ?? 0) > 1;
}
