import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import type { NoticeTemplates } from "../../domain/notice-templates";
import { batchedDb } from "../couch/batched-db";
import type { CommuneDatabases } from "../couch/database-names";
import { type AckMailer, ackComposer, ackMailer } from "../jobs/ack-mailer";
import { createMailer, heldMailer } from "../mail/mailer";
import { Outbox } from "../mail/outbox";
import { communeDoorOptions, type MailDoor, startMailDoor } from "../mail-intake/mail-door";
import type { AttachmentStore } from "../services/attachment-store";
import type { SharedServer, SiteTarget } from "./options";
import type { SiteClients } from "./site-clients";
import type { StopList } from "./stop-list";

export type SiteMail = { acks: AckMailer; door: MailDoor | null };

/**
 * A commune's mail: the shared relay or development sink (without either, mails wait in the
 * outbox), the accusés mailer and its outbox, and the email door, whose stored mails are
 * acknowledged at once and whose address the outgoing mails give for replies.
 */
export function startSiteMail(
  base: SharedServer,
  target: SiteTarget,
  site: {
    databases: CommuneDatabases;
    clients: SiteClients;
    commune: () => Commune;
    catalogue: () => Catalogue;
    noticeTemplates: () => Record<string, NoticeTemplates>;
    today: () => string;
    serverUser: string;
    attachments: AttachmentStore;
    /** Links in mails; the URL is known once listening, so it is read lazily. */
    followUpUrl: () => string;
    /** Citizens are waiting on the portal: the accusés slow down. */
    busy: () => boolean;
  },
  stops: StopList,
): SiteMail {
  const { opts, now, logError } = base;
  const { clients } = site;
  const requestDatabases = [site.databases.main, ...Object.values(site.databases.sensitive)];
  // GUICHET_MAIL_FROM is the default commune's; the others send from their own domain.
  const fromAddress =
    target.env.GUICHET_MAIL_FROM?.trim() || `ne-pas-repondre@${domainOf(site.commune().email)}`;
  const relay = base.smtpUrl ?? base.sink?.url;
  const mailer = relay
    ? createMailer(relay, { name: site.commune().name, address: fromAddress })
    : heldMailer();
  stops.add(() => mailer.close());

  const acks = ackMailer({
    databases: requestDatabases,
    db: clients.serverDb,
    outbox: (onDue) =>
      new Outbox({
        stateDb: clients.stateDb,
        // Not lingering (the resend window), but grouped when several are due together.
        urgentStateDb: batchedDb(clients.serverDirect(clients.serverDbName), { writesInFlight: 1 }),
        // A cluster may accept two creators of one claim: confirm by quorum reads (outbox.ts).
        ...(base.clustered ? { claimDb: clients.asServer.db(clients.serverDbName) } : {}),
        requestDb: clients.serverDb,
        mailer,
        compose: ackComposer({
          catalogue: site.catalogue,
          commune: site.commune,
          today: site.today,
          get followUpUrl() {
            return site.followUpUrl();
          },
          messageIdDomain: domainOf(fromAddress),
          // Once the email door is up, mails carry a reply address naming their request.
          replyAddress: () => door?.address,
          noticeTemplates: site.noticeTemplates,
        }),
        instanceId: base.instanceId,
        serverUser: site.serverUser,
        now,
        ...(opts.mail?.leaseMs ? { leaseMs: opts.mail.leaseMs } : {}),
        ...(opts.mail?.retryBaseMs ? { retryBaseMs: opts.mail.retryBaseMs } : {}),
        onError: logError,
        onDue,
      }),
    catalogue: site.catalogue,
    today: site.today,
    instanceId: base.instanceId,
    maxAgeDays: opts.mail?.maxAgeDays ?? 30,
    busy: site.busy,
    onError: logError,
  });
  stops.add(() => acks.outbox.stop());
  stops.add(() => acks.stop());

  // The email door: the commune's mailbox feeds the same pipeline (mail-intake/).
  const doorOptions = communeDoorOptions(opts.mailIntake, target.mailbox, {
    isDefault: target.basePath === "",
    env: target.env,
  });
  const door = startMailDoor(doorOptions, {
    env: target.env,
    dev: base.dev,
    communeEmail: site.commune().email,
    serverDb: clients.stateDb,
    counterDb: clients.asServer.db(clients.serverDbName),
    commune: site.commune,
    catalogue: site.catalogue,
    requestDb: clients.serverDb(site.databases.main),
    attachments: site.attachments,
    serverUser: site.serverUser,
    now,
    onStored: (r) => void acks.process(site.databases.main, r).catch(logError),
    onError: logError,
  });
  if (door) stops.add(() => door.intake.stop());
  return { acks, door };
}

export function domainOf(email: string): string {
  return email.split("@")[1]?.trim() || "guichet.invalid";
}
