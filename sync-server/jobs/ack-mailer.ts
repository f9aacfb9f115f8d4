import { buildAcknowledgement, buildRegistrationReceipt } from "../../domain/acknowledgement";
import { daysBetween } from "../../domain/calendar";
import { type Catalogue, findDemarche, findService } from "../../domain/catalogue";
import { type Commune, findAgent } from "../../domain/commune";
import { unsentMessages } from "../../domain/conversation";
import type { NoticeTemplates } from "../../domain/notice-templates";
import { buildNotice, unsentNotices } from "../../domain/notices";
import type { GuichetRequest } from "../../domain/request";
import { type CouchDb, CouchError } from "../couch/couch-db";
import { agentMessageMail } from "../mail/message-template";
import { noticeMail } from "../mail/notice-template";
import {
  type Composer,
  hasMailEvent,
  type MailKind,
  messageKind,
  noticeKind,
  type Outbox,
} from "../mail/outbox";
import { acknowledgementMail } from "../mail/templates";
import { MAIL_WORKSTATION } from "../services/server-codes";
import type { FeedReaction } from "./feed-runner";

/**
 * Which accusés a request is owed by email, from the request alone (so any replica's copy gives
 * the same answer): online submissions get the accusé d'enregistrement (L112-11); requests of an
 * `arOwed` démarche with a citizen email get the accusé de réception (L112-3, R112-5), unless
 * one was already given (printed at the counter, or sent). Closed, forwarded, cancelled or
 * anonymised requests, and requests older than `maxAgeDays`, get nothing: an AR months later
 * would be noise, not information.
 */
export function mailsOwed(
  r: GuichetRequest,
  catalogue: Catalogue,
  today: string,
  maxAgeDays: number,
): MailKind[] {
  if (r.type !== "request" || r.anonymised || !r.citizen?.email) return [];
  // An agent's answer and the notices of recent events go whatever the request's age or status
  // (they announce the decision, the closure...).
  const answers = [
    ...unsentNotices(r, today, NOTICE_MAX_AGE_DAYS).map((n) => noticeKind(n.eventId)),
    ...unsentMessages(r).map((e) => messageKind(e.id)),
  ];
  if (!r.open || daysBetween(r.receivedOn, today) > maxAgeDays) return answers;
  const kinds: MailKind[] = [];
  // The email door files mails (L112-8): registered electronically, acknowledged like the portal's.
  const fromDoor = r.channel === "courriel" && r.workstation === MAIL_WORKSTATION;
  if ((r.channel === "en_ligne" || fromDoor) && !hasMailEvent(r, "registration")) kinds.push("registration");
  // A mail's AR waits for an agent to choose its démarche: the R112-5 mentions (service, délai,
  // implicit decision) depend on it. Once sent (ar_sent), a later choice sends nothing more.
  const triaged = !fromDoor || r.events.some((e) => e.kind === "demarche_chosen");
  if (findDemarche(catalogue, r.demarche)?.arOwed && !r.arSent && triaged) kinds.push("ar");
  return [...kinds, ...answers];
}

export function ackComposer(o: {
  catalogue: () => Catalogue;
  commune: () => Commune;
  today: () => string;
  followUpUrl: string;
  messageIdDomain: string;
  /** The email door's address: mails then carry a reply address naming the request. */
  replyAddress?: () => string | undefined;
  /** Each démarche's notice templates (-config), read at each mail. */
  noticeTemplates?: () => Record<string, NoticeTemplates>;
}): Composer {
  return (request, kind) => {
    const replyTo = replyAddressFor(o.replyAddress?.(), request.id);
    if (kind.startsWith("msg:")) return composeAnswer(request, kind.slice(4), o, replyTo);
    if (kind.startsWith("notice:")) return composeNotice(request, kind.slice(7), o, replyTo);
    const catalogue = o.catalogue();
    const demarche = findDemarche(catalogue, request.demarche);
    const service = findService(catalogue, request.service);
    const email = request.citizen.email;
    if (!demarche || !service || !email) return null;
    const commune = o.commune();
    // L111-2: the assigned agent as the commune's directory names them; the service otherwise.
    const agent = findAgent(commune, request.assignee || undefined);
    const input = { request, demarche, service, commune, agent, issuedOn: o.today() };
    let ack: ReturnType<typeof buildAcknowledgement>;
    try {
      ack = kind === "ar" ? buildAcknowledgement(input) : buildRegistrationReceipt(input);
    } catch (e) {
      return { blocked: (e as Error).message };
    }
    // L112-6: an AR missing a mandatory mention must not go out; an agent has to complete it.
    if (ack.missing.length > 0)
      return { blocked: `Mentions obligatoires manquantes : ${ack.missing.join(" ; ")}` };
    const rendered = acknowledgementMail(ack, commune, o.followUpUrl, { repliesWelcome: !!replyTo });
    return {
      mail: {
        to: { name: `${request.citizen.firstName} ${request.citizen.lastName}`, address: email },
        ...rendered,
        messageId: `<${kind}.${request.id}.${request.commune}@${o.messageIdDomain}>`,
        ...(replyTo ? { replyTo } : {}),
      },
    };
  };
}

/** `mairie@ville.fr` → `mairie+K7M44EEX@ville.fr` (the door reads the tag back: classify.ts). */
export function replyAddressFor(address: string | undefined, requestId: string): string | undefined {
  const at = address?.lastIndexOf("@") ?? -1;
  if (!address || at <= 0) return undefined;
  return `${address.slice(0, at)}+${requestId}${address.slice(at)}`;
}

/** Notices of events older than this are not sent (e.g. events from before this feature). */
export const NOTICE_MAX_AGE_DAYS = 7;

/** The notice of one event (domain/notices.ts), to the request's own citizen address. */
function composeNotice(
  request: GuichetRequest,
  eventId: string,
  o: {
    catalogue: () => Catalogue;
    commune: () => Commune;
    followUpUrl: string;
    messageIdDomain: string;
    noticeTemplates?: () => Record<string, NoticeTemplates>;
  },
  replyTo: string | undefined,
): ReturnType<Composer> {
  const email = request.citizen.email;
  if (!email || !request.events.some((e) => e.id === eventId)) return null;
  const commune = o.commune();
  const demarcheLabel = findDemarche(o.catalogue(), request.demarche)?.label ?? request.subject;
  let notice: ReturnType<typeof buildNotice>;
  try {
    notice = buildNotice(request, eventId, {
      commune,
      demarcheLabel,
      followUpUrl: o.followUpUrl,
      // The démarche's own wording when its admin wrote one (notice-templates-api.ts).
      templates: o.noticeTemplates?.()[request.demarche],
    });
  } catch (e) {
    return { blocked: (e as Error).message };
  }
  return {
    mail: {
      to: { name: `${request.citizen.firstName} ${request.citizen.lastName}`, address: email },
      ...noticeMail(notice, commune, { repliesWelcome: !!replyTo }),
      messageId: `<notice-${eventId}.${request.id}.${request.commune}@${o.messageIdDomain}>`,
      ...(replyTo ? { replyTo } : {}),
    },
  };
}

/** An agent's answer (`message_out`), always to the request's own citizen address. */
function composeAnswer(
  request: GuichetRequest,
  eventId: string,
  o: { commune: () => Commune; followUpUrl: string; messageIdDomain: string },
  replyTo: string | undefined,
): ReturnType<Composer> {
  const e = request.events.find((x) => x.id === eventId);
  const email = request.citizen.email;
  if (e?.kind !== "message_out" || !email) return null;
  const lastIn = [...request.events].reverse().find((x) => x.kind === "message_in");
  const rendered = agentMessageMail(
    { subject: e.subject, text: e.text, tracking: request.id },
    o.commune(),
    o.followUpUrl,
  );
  return {
    mail: {
      to: { name: `${request.citizen.firstName} ${request.citizen.lastName}`, address: email },
      ...rendered,
      messageId: `<msg-${eventId}.${request.id}.${request.commune}@${o.messageIdDomain}>`,
      ...(replyTo ? { replyTo } : {}),
      ...(lastIn?.kind === "message_in" && lastIn.messageId ? { inReplyTo: lastIn.messageId } : {}),
      byAgent: true,
    },
  };
}

export type AckMailer = {
  /** Sends what a request is owed now (the email door calls it right after storing a mail). */
  process(database: string, request: GuichetRequest): Promise<void>;
  /** A claim came due: the request is read again and examined as a whole. */
  retry(database: string, requestId: string): Promise<void>;
  /** The outbox this mailer hands its mails to, built with `retry` as what a due claim calls. */
  outbox: Outbox;
  /** What the feed runner (feed-runner.ts) calls with each batch of changed requests. */
  reaction: FeedReaction<GuichetRequest>;
  stop(): Promise<void>;
};

/**
 * Examines changed requests and hands owed accusés to the outbox it builds (a due claim comes
 * back to `retry`, so neither needs a reference set after the fact).
 *
 * On a CouchDB cluster: a submission is seen either by `process` (the portal, right after its
 * write) or by the feed a moment later; a feed resumed on another node replays changes. Both
 * paths end in the outbox, which claims `outbox:<id>:<kind>` create-only and re-reads the request
 * with a quorum GET before sending: a replay or a second path finds the claim or the `*_sent`
 * event and sends nothing. The one cluster-specific window: with a copy unreachable, two server
 * processes creating the same claim at the same instant can both get 202. The two quorum reads
 * that confirm a claim (outbox.ts `confirmed`) let only the winning revision send in most cases,
 * not all (copies that disagree can show each process its own); then both send, with the same
 * Message-ID, and the event is recorded once (read-decide-write on the request).
 */
export function ackMailer(o: {
  databases: string[];
  db: (name: string) => CouchDb;
  /** Builds the outbox; `onDue` is what it calls when a claim comes due. */
  outbox: (onDue: (database: string, requestId: string) => Promise<void>) => Outbox;
  catalogue: () => Catalogue;
  today: () => string;
  instanceId: string;
  maxAgeDays: number;
  /**
   * Requests examined at the same time (default 256). Each one mostly waits (grouped reads and
   * writes, SMTP): throughput is this number over one pass's duration (a few hundred ms), so a
   * small number, not the CPU, was what held the accusés back (73 requests/s with 32).
   */
  concurrency?: number;
  /**
   * True while citizens are waiting on the portal (a burst of submissions): the accusés then go
   * out `busyConcurrency` requests at a time (default 32) and at full speed once the burst is over,
   * or as soon as the oldest one waiting was queued `maxWaitMs` ago (default 500): under sustained
   * load the portal is always "busy", and the accusés must still leave within seconds.
   */
  busy?: () => boolean;
  busyConcurrency?: number;
  maxWaitMs?: number;
  now?: () => number;
  onError: (err: unknown) => void;
}): AckMailer {
  const outbox = o.outbox(retry);

  async function examine(database: string, request: GuichetRequest): Promise<void> {
    // In order (the outbox keeps it): the accusé d'enregistrement announces the AR.
    const kinds = mailsOwed(request, o.catalogue(), o.today(), o.maxAgeDays);
    if (kinds.length > 0) await outbox.deliver(database, request.id, kinds);
  }

  async function retry(database: string, requestId: string): Promise<void> {
    const request = await o.db(database).get<GuichetRequest>(requestId);
    if (request) await enqueue(database, request);
  }

  // A bounded number of requests at a time: under a burst of submissions, the portal's own
  // work keeps the CPU and the accusés follow a moment later (in submission order).
  type Item = {
    database: string;
    request: GuichetRequest;
    queuedAt: number;
    waiters: { resolve: () => void; reject: (e: unknown) => void }[];
  };
  const queue = new Map<string, Item>();
  let active = 0;
  let recheck: NodeJS.Timeout | undefined;
  const now = o.now ?? Date.now;
  function pump(): void {
    const oldest = queue.values().next().value as Item | undefined;
    const late = !!oldest && now() - oldest.queuedAt >= (o.maxWaitMs ?? 500);
    const busy = !late && (o.busy?.() ?? false);
    const limit = busy ? (o.busyConcurrency ?? 32) : (o.concurrency ?? 256);
    while (active < limit && queue.size > 0) {
      const [key, item] = queue.entries().next().value as [string, Item];
      queue.delete(key);
      active += 1;
      examine(item.database, item.request)
        .then(
          () => {
            for (const w of item.waiters) w.resolve();
          },
          (e) => {
            for (const w of item.waiters) w.reject(e);
          },
        )
        .finally(() => {
          active -= 1;
          pump();
        });
    }
    // Waiting only for the burst to end: look again soon rather than at the next completion.
    if (busy && queue.size > 0 && !recheck) {
      recheck = setTimeout(() => {
        recheck = undefined;
        pump();
      }, 50);
      recheck.unref?.();
    }
  }
  function enqueue(database: string, request: GuichetRequest): Promise<void> {
    // Nothing owed: no queueing at all (most changes, e.g. the events the outbox itself adds).
    if (mailsOwed(request, o.catalogue(), o.today(), o.maxAgeDays).length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const key = `${database}\u0000${request.id}`;
      const queued = queue.get(key);
      if (queued) {
        queued.request = request;
        queued.waiters.push({ resolve, reject });
      } else {
        queue.set(key, { database, request, queuedAt: now(), waiters: [{ resolve, reject }] });
      }
      pump();
    });
  }

  const reaction: FeedReaction<GuichetRequest> = {
    databases: o.databases,
    checkpointId: (database) => `guichet-mailer-${o.instanceId}-${database}`,
    db: o.db,
    // The accusés leave within a second; in exchange a burst of submissions is handled in
    // batches (a few grouped reads and writes) instead of one pipeline per request.
    pollGapMs: 250,
    onDocs: async (database, docs) => {
      // Claims are durable before the checkpoint moves (sending itself is retried by the outbox).
      // A network failure replays the batch; a refusal (4xx) is reported and skipped, so one
      // bad document cannot hold back every later one.
      await Promise.all(
        docs.map((d) =>
          enqueue(database, d).catch((e) => {
            if (!(e instanceof CouchError && e.status >= 400 && e.status < 500)) throw e;
            o.onError(e);
          }),
        ),
      );
    },
  };
  return {
    process: enqueue,
    retry,
    outbox,
    reaction,
    async stop() {
      clearTimeout(recheck);
    },
  };
}
