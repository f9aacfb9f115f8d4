import { createHash } from "node:crypto";
import { type Catalogue, findDemarche } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import { newRequest } from "../../domain/new-request";
import type { GuichetRequest, RequestEvent } from "../../domain/request";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { type CouchDb, CouchError } from "../couch/couch-db";
import { formatSize } from "../http/errors";
import { inParallel } from "../jobs/in-parallel";
import { appendEvents } from "../services/append-events";
import type { AttachmentStore } from "../services/attachment-store";
import type { BlockCounter } from "../services/counter";
import { MAIL_WORKSTATION } from "../services/server-codes";
import { automaticReason, replyTarget } from "./classify";
import { type MailRecord, type MailRecords, mailRecordId } from "./mail-records";
import {
  bodyText,
  type CheckedFile,
  checkAttachments,
  citizenFrom,
  oneLine,
  withoutData,
} from "./mail-request";
import type { Mailbox, MailboxEntry, MailboxSession } from "./mailbox";
import { type IncomingMail, parseMail } from "./parse-mail";

/** One commune's email door: its mailbox and how to file what arrives there. */
export type MailIntakeConfig = {
  mailbox: Mailbox;
  /** The commune's public address (replies come back as `local+TRACKING@domain`). */
  address?: string;
  /** Démarche of a mail until an agent triages it (default `demande_generale`). */
  demarche?: string;
  folders?: { done: string; check: string };
  /** Larger messages are not fetched: « à vérifier » with the reason (default 25 MB). */
  maxMessageBytes?: number;
  /** Time between two readings of the mailbox; null: only when `runOnce` is called. */
  pollMs?: number | null;
  /** Messages fetched and filed together (default 50). */
  batchSize?: number;
};

export type MailIntakeDeps = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  /** The commune's main request database, as the server account. */
  requestDb: CouchDb;
  records: MailRecords;
  /** The email door's tracking sequence (workstation code MAIL_WORKSTATION). */
  tracking: BlockCounter;
  attachments: AttachmentStore;
  serverUser: string;
  now: () => Date;
  /** A request was stored: the accusé d'enregistrement goes at once. */
  onStored?: (request: GuichetRequest) => void;
  onError: (err: unknown) => void;
};

export type IntakeReport = { stored: number; joined: number; checked: number; failed: number };
type Outcome = keyof IntakeReport;

export type MailIntake = {
  /** Reads the mailbox now (one run at a time: a second call waits for the running one). */
  runOnce(): Promise<IntakeReport>;
  stop(): Promise<void>;
};

export const DEFAULT_FOLDERS = { done: "Guichet/Traites", check: "Guichet/A verifier" };

/**
 * The email door of one commune. For each message of the inbox, oldest first:
 *   1. a record keyed by its Message-ID is read: a message already filed (a crash came before
 *      the move) is only moved again;
 *   2. too large, unreadable, automatic or spam → a `check` record with the reason, then the
 *      folder « à vérifier »;
 *   3. an answer to one of the mairie's mails, from that request's citizen → a `message_in`
 *      event (id derived from the Message-ID: added once however often it is retried);
 *   4. otherwise a `courriel` request: the tracking number is claimed in the record first, then
 *      the request is written under that number (a 409 on retry means it is already there).
 * The message leaves the inbox only after its outcome is durable. A failure leaves it in the
 * inbox for the next run; nothing is deleted.
 */
export function startMailIntake(config: MailIntakeConfig, deps: MailIntakeDeps): MailIntake {
  const folders = config.folders ?? DEFAULT_FOLDERS;
  const maxBytes = config.maxMessageBytes ?? 25 * 1024 * 1024;
  const batchSize = config.batchSize ?? 50;
  let running: Promise<IntakeReport> | null = null;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function run(): Promise<IntakeReport> {
    const report: IntakeReport = { stored: 0, joined: 0, checked: 0, failed: 0 };
    const session = await config.mailbox.open();
    try {
      const failed = new Set<number>();
      for (;;) {
        if (stopped) break;
        const entries = (await session.list(batchSize + failed.size)).filter((e) => !failed.has(e.uid));
        if (entries.length === 0) break;
        const batch = entries.slice(0, batchSize);
        await fileBatch(session, batch, report, failed);
      }
    } finally {
      await session.close().catch(deps.onError);
    }
    return report;
  }

  async function fileBatch(
    session: MailboxSession,
    batch: MailboxEntry[],
    report: IntakeReport,
    failed: Set<number>,
  ): Promise<void> {
    const sources = await session.sources(batch.filter((e) => e.size <= maxBytes).map((e) => e.uid));
    const moves: Record<string, number[]> = { [folders.done]: [], [folders.check]: [] };
    // Wide enough for the grouped reads and writes (batched databases) to fill up.
    await inParallel(batch, 16, async (entry) => {
      try {
        const outcome = await fileOne(entry, sources.get(entry.uid));
        report[outcome] += 1;
        moves[outcome === "checked" ? folders.check : folders.done]?.push(entry.uid);
      } catch (e) {
        report.failed += 1;
        failed.add(entry.uid);
        deps.onError(e);
      }
    });
    for (const [folder, uids] of Object.entries(moves)) await session.move(uids, folder);
  }

  async function fileOne(
    entry: MailboxEntry,
    source: Buffer | undefined,
  ): Promise<Exclude<Outcome, "failed">> {
    const arrivedAt = entry.arrivedAt.toISOString();
    if (!source) {
      const why =
        entry.size > maxBytes
          ? `Message trop volumineux (${formatSize(entry.size)}, ${formatSize(maxBytes)} au maximum).`
          : "Message introuvable dans la boîte au moment de le lire.";
      const key = entry.messageId ?? `${arrivedAt}\u0000${entry.size}\u0000${entry.from ?? ""}`;
      return check(
        key,
        { messageId: entry.messageId ?? "", from: entry.from ?? "", subject: entry.subject ?? "" },
        arrivedAt,
        why,
      );
    }
    let mail: IncomingMail;
    try {
      mail = await parseMail(source);
    } catch (e) {
      const key = createHash("sha256").update(source).digest("hex");
      return check(
        key,
        { messageId: "", from: entry.from ?? "", subject: entry.subject ?? "" },
        arrivedAt,
        `Message illisible : ${oneLine(String((e as Error)?.message ?? e), 200)}`,
      );
    }
    const key = mail.messageId ?? createHash("sha256").update(source).digest("hex");
    const facts = {
      messageId: oneLine(mail.messageId ?? "", 300),
      from: oneLine(mail.from?.address ?? "", 200),
      subject: oneLine(mail.subject, 200),
      excerpt: bodyText(mail.text, 600),
    };
    const id = mailRecordId(key);
    const existing = await deps.records.get(id);
    if (existing && existing.state !== "claimed") {
      // Filed before (a crash before the move, or the same message delivered twice); a different
      // sender reusing a Message-ID is not the same message: an agent looks at it.
      if (existing.from === facts.from)
        return existing.state === "check" || existing.state === "dismissed"
          ? "checked"
          : existing.state === "joined"
            ? "joined"
            : "stored";
      return check(
        `${key}\u0000${createHash("sha256").update(source).digest("hex")}`,
        facts,
        arrivedAt,
        "Identifiant de message (Message-ID) déjà utilisé par un autre expéditeur.",
      );
    }
    if (!mail.from) return check(key, facts, arrivedAt, "Message sans expéditeur.");
    const automatic = automaticReason(mail);
    if (automatic) return check(key, facts, arrivedAt, automatic);
    const files = checkAttachments(mail);
    if (!files.ok) return check(key, facts, arrivedAt, files.reason);

    const target = replyTarget(mail, {
      commune: deps.commune().id,
      ...(config.address ? { mailboxAddress: config.address } : {}),
    });
    if (target) {
      const joined = await joinReply(target, key, mail, files.files, arrivedAt, facts);
      if (joined !== "new") return joined;
    }
    return fileRequest(key, existing, mail, files, arrivedAt, facts);
  }

  async function check(
    key: string,
    facts: { messageId: string; from: string; subject: string; excerpt?: string },
    arrivedAt: string,
    reason: string,
  ): Promise<"checked"> {
    await deps.records.create({
      _id: mailRecordId(key),
      type: "mailin",
      state: "check",
      ...facts,
      receivedAt: arrivedAt,
      createdAt: deps.now().toISOString(),
      reason,
    });
    return "checked";
  }

  /** A citizen's answer: one event on the request, or « à vérifier » when it cannot be theirs. */
  async function joinReply(
    tracking: string,
    key: string,
    mail: IncomingMail,
    files: CheckedFile[],
    arrivedAt: string,
    facts: { messageId: string; from: string; subject: string; excerpt: string },
  ): Promise<"joined" | "checked" | "new"> {
    const request = await deps.requestDb.get<GuichetRequest>(tracking);
    if (!request) return "new"; // a number that is not one of ours: a new request like any other
    const sender = (mail.from?.address ?? "").toLowerCase();
    if (request.anonymised || !request.open)
      return check(key, facts, arrivedAt, `Réponse à la demande ${tracking}, qui est close ou anonymisée.`);
    if (!request.citizen.email || request.citizen.email.toLowerCase() !== sender)
      return check(
        key,
        facts,
        arrivedAt,
        `Réponse à la demande ${tracking} envoyée par une autre adresse que celle du demandeur.`,
      );
    const event: RequestEvent = {
      id: messageEventId(key, arrivedAt),
      at: arrivedAt,
      by: deps.serverUser,
      workstation: MAIL_WORKSTATION,
      kind: "message_in",
      messageId: facts.messageId,
      from: facts.from,
      subject: facts.subject || "(sans objet)",
      text: bodyText(mail.text),
      attachments: withoutData(files),
    };
    for (const f of files) await deps.attachments.put(f.data, f.name, f.mime);
    await appendEvents(deps.requestDb, tracking, (r) =>
      r.events.some((e) => e.id === event.id) ? null : [event],
    );
    for (const f of files) await deps.attachments.addRef(f.sha256, tracking);
    await deps.records.create({
      _id: mailRecordId(key),
      type: "mailin",
      state: "joined",
      ...facts,
      receivedAt: arrivedAt,
      createdAt: deps.now().toISOString(),
      tracking,
    });
    return "joined";
  }

  async function fileRequest(
    key: string,
    existing: MailRecord | null,
    mail: IncomingMail,
    files: { files: CheckedFile[]; skipped: number },
    arrivedAt: string,
    facts: { messageId: string; from: string; subject: string; excerpt: string },
  ): Promise<"stored" | "checked"> {
    const catalogue = deps.catalogue();
    const demarche = findDemarche(catalogue, config.demarche ?? "demande_generale");
    if (!demarche || demarche.sensitive)
      throw new Error(`Démarche du courriel introuvable : ${config.demarche}`);
    const skippedNote =
      files.skipped > 0 ? `\n\n[${files.skipped} image(s) intégrée(s) au message non conservée(s).]` : "";
    const message = bodyText(mail.text, 4000 - skippedNote.length) || "(message sans texte)";
    const commune = deps.commune();
    const now = deps.now().toISOString();
    const built = newRequest(
      {
        demarche: demarche.id,
        channel: "courriel",
        subject: facts.subject || "(sans objet)",
        fields: { message: message + skippedNote },
        citizen: citizenFrom(mail.from ?? { address: "", name: "" }),
        attachments: withoutData(files.files),
      },
      {
        commune: commune.id,
        tracking: makeTrackingNumber(MAIL_WORKSTATION, 1),
        demarche,
        policy: commune.policy,
        by: deps.serverUser,
        workstation: MAIL_WORKSTATION,
        now,
        receivedAt: arrivedAt,
      },
    );
    if (!built.ok)
      return check(
        key,
        facts,
        arrivedAt,
        `Demande impossible à enregistrer : ${built.issues.map((i) => `${i.field} : ${i.message}`).join(" ; ")}`,
      );
    // The number is claimed before the request is written: a retry writes the same request.
    let record = existing;
    if (!record) {
      const tracking = makeTrackingNumber(MAIL_WORKSTATION, await deps.tracking.take());
      record = await deps.records.create({
        _id: mailRecordId(key),
        type: "mailin",
        state: "claimed",
        ...facts,
        receivedAt: arrivedAt,
        createdAt: now,
        tracking,
      });
      if (record.state !== "claimed") return record.state === "check" ? "checked" : "stored";
    }
    const tracking = record.tracking as string;
    const request: GuichetRequest = { ...built.request, id: tracking, tracking };
    for (const f of files.files) await deps.attachments.put(f.data, f.name, f.mime);
    try {
      await deps.requestDb.put({ _id: tracking, ...request });
    } catch (e) {
      if (!(e instanceof CouchError && e.status === 409)) throw e; // stored by the attempt that crashed
    }
    for (const f of files.files) await deps.attachments.addRef(f.sha256, tracking);
    await deps.records.update(record, { state: "stored" });
    deps.onStored?.(request);
    return "stored";
  }

  function runOnce(): Promise<IntakeReport> {
    if (running) return running.then(() => runOnce());
    const p = run().finally(() => {
      running = null;
    });
    running = p;
    return p;
  }

  function schedule(): void {
    if (stopped || !config.pollMs) return;
    timer = setTimeout(() => {
      runOnce().catch(deps.onError).finally(schedule);
    }, config.pollMs);
    timer.unref?.();
  }
  schedule();

  return {
    runOnce,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

/**
 * The id of a citizen's message in a history: derived from its Message-ID, so the same mail read
 * twice gives the same event (withEvents keeps one).
 */
export function messageEventId(key: string, at: string): string {
  const hash = BigInt(`0x${createHash("sha256").update(key).digest("hex").slice(0, 16)}`).toString(36);
  return `${Date.parse(at).toString(36)}-${MAIL_WORKSTATION}-${hash.slice(0, 12)}`;
}
