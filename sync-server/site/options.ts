import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { Open311Commune } from "../api/open311";
import type { MailboxSetting } from "../communes/registry";
import type { ServerConfig } from "../config";
import type { Couch } from "../couch/couch";
import type { WorkstationRegistry } from "../couch/workstation-registry";
import type { TlsFiles } from "../http/listen";
import type { SmtpSink } from "../mail/smtp-sink";
import type { MailDoorOptions } from "../mail-intake/mail-door";
import type { CodeQuota } from "../services/workstation-codes";

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

/** What every commune served by one process shares: the database server, mail sink, clock, log. */
export type SharedServer = {
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
  /** HTTPS served directly (GUICHET_TLS_*), and X-Forwarded-* trusted (behind a reverse proxy). */
  tls: boolean;
  trustProxy: boolean;
  /** The server's listening (or public) URL, known once listening. */
  publicUrl: () => string;
  /** Every commune served, for Open311's `jurisdiction_id` at the default address. */
  open311: Map<string, Open311Commune>;
  /** An Apache CouchDB cluster (several nodes): writes may then leave sibling revisions. */
  clustered: boolean;
  /** Registered and revoked workstations of every commune, shared with the database gateway. */
  workstations: WorkstationRegistry;
};

/** Which commune a site serves, and where: "" for the default commune, `/c/<id>` for the others. */
export type SiteTarget = {
  commune: string | Commune;
  catalogue?: Catalogue;
  env: NodeJS.ProcessEnv;
  basePath: string;
  /** The commune's mailbox from the registry (communes/registry.ts). */
  mailbox?: MailboxSetting;
};
