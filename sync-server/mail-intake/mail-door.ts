import type { MailboxSetting } from "../communes/registry";
import type { CouchDb } from "../couch/couch-db";
import { BlockCounter } from "../services/counter";
import { MAIL_WORKSTATION, portalCounterId } from "../services/server-codes";
import { imapMailbox } from "./imap-mailbox";
import { DEFAULT_FOLDERS, type MailIntake, type MailIntakeDeps, startMailIntake } from "./intake-job";
import { MailRecords } from "./mail-records";
import { applyMailRetention, type MailRetentionReport } from "./mail-retention";
import type { Mailbox } from "./mailbox";
import { MemoryMailbox } from "./memory-mailbox";

/**
 * The door options of one commune of a server. The default commune takes the server's options and
 * environment (GUICHET_IMAP_URL), else its registry entry's mailbox; every other commune takes its
 * registry entry's mailbox only (never another commune's), with the server's tuning (poll, size).
 * Without a mailbox, the dev server gives each commune its own demo mailbox.
 */
export function communeDoorOptions(
  server: MailDoorOptions | false | undefined,
  setting: MailboxSetting | undefined,
  o: { isDefault: boolean; env: NodeJS.ProcessEnv },
): MailDoorOptions | false | undefined {
  if (server === false) return false;
  const explicit = !!(server?.mailbox || server?.imapUrl || o.env.GUICHET_IMAP_URL?.trim());
  if (o.isDefault && (explicit || !setting)) return server;
  const tuning: MailDoorOptions = {
    ...(server?.pollMs !== undefined ? { pollMs: server.pollMs } : {}),
    ...(server?.maxMessageBytes ? { maxMessageBytes: server.maxMessageBytes } : {}),
  };
  if (!setting) return tuning;
  return {
    ...(setting.pollSeconds ? { pollMs: setting.pollSeconds * 1000 } : {}),
    ...tuning,
    imapUrl: setting.imapUrl,
    ...(setting.address ? { address: setting.address } : {}),
  };
}

/** Settings of a commune's email door (server side only: the IMAP password never reaches a counter). */
export type MailDoorOptions = {
  /** imap://user:password@host:143/INBOX or imaps://…; GUICHET_IMAP_URL. */
  imapUrl?: string;
  /** Any mailbox (tests); wins over `imapUrl`. */
  mailbox?: Mailbox;
  /** The address citizens write to; GUICHET_MAIL_ADDRESS, else the commune's email. */
  address?: string;
  /** GUICHET_IMAP_POLL_SECONDS (default 30); null: only on demand. */
  pollMs?: number | null;
  maxMessageBytes?: number;
};

export type MailDoor = {
  intake: MailIntake;
  records: MailRecords;
  /** Demo mode: the in-process mailbox the dev page writes to. */
  demo?: MemoryMailbox;
  address: string | undefined;
  /** The daily retention pass of this door (mail-retention.ts). */
  applyRetention(today: string): Promise<MailRetentionReport>;
};

/**
 * One commune's email door from its settings: its IMAP mailbox, or in demo mode (no IMAP URL,
 * dev server) a mailbox in this process, or none at all. Called once per commune.
 */
export function startMailDoor(
  o: MailDoorOptions | false | undefined,
  ctx: {
    env: NodeJS.ProcessEnv;
    dev: boolean;
    communeEmail: string;
    /** The commune's server database, as the server account (records, tracking counter). */
    serverDb: CouchDb;
    counterDb: CouchDb;
  } & Omit<MailIntakeDeps, "records" | "tracking">,
): MailDoor | null {
  if (o === false) return null;
  const imapUrl = o?.imapUrl ?? ctx.env.GUICHET_IMAP_URL?.trim();
  const demo = !o?.mailbox && !imapUrl && ctx.dev ? new MemoryMailbox() : undefined;
  const mailbox = o?.mailbox ?? (imapUrl ? imapMailbox(imapUrl) : demo);
  if (!mailbox) return null;
  const seconds = Number(ctx.env.GUICHET_IMAP_POLL_SECONDS ?? 30);
  const pollMs = o?.pollMs !== undefined ? o.pollMs : demo ? 2_000 : seconds * 1000;
  const address = o?.address ?? (ctx.env.GUICHET_MAIL_ADDRESS?.trim() || ctx.communeEmail || undefined);
  const records = new MailRecords(ctx.serverDb);
  const intake = startMailIntake(
    {
      mailbox,
      ...(address ? { address } : {}),
      pollMs,
      ...(o?.maxMessageBytes ? { maxMessageBytes: o.maxMessageBytes } : {}),
    },
    {
      ...ctx,
      records,
      tracking: new BlockCounter(ctx.counterDb, portalCounterId(MAIL_WORKSTATION), 20),
    },
  );
  // Daily jobs run hourly; the records' queries scan the server database (no index): once a day.
  let doneOn = "";
  const applyRetention = async (today: string): Promise<MailRetentionReport> => {
    if (today === doneOn) return { scrubbed: 0, purged: 0 };
    const report = await applyMailRetention({
      records,
      requestDb: ctx.requestDb,
      mailbox,
      folders: DEFAULT_FOLDERS,
      catalogue: ctx.catalogue(),
      demarche: "demande_generale",
      today,
      now: ctx.now,
    });
    doneOn = today;
    return report;
  };
  return { intake, records, address, applyRetention, ...(demo ? { demo } : {}) };
}
