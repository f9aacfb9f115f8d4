import { ImapFlow } from "imapflow";
import type { Mailbox, MailboxEntry, MailboxSession } from "./mailbox";

/** imap://user:password@host:143 (STARTTLS required except on loopback) or imaps://…:993. */
export function imapMailbox(imapUrl: string, opts: { inbox?: string } = {}): Mailbox {
  const url = new URL(imapUrl);
  const secure = url.protocol === "imaps:";
  const loopback =
    url.hostname === "localhost" || url.hostname.startsWith("127.") || url.hostname === "[::1]";
  const inbox = opts.inbox ?? (decodeURIComponent(url.pathname.replace(/^\//, "")) || "INBOX");
  const connect = async (): Promise<ImapFlow> => {
    const client = new ImapFlow({
      host: url.hostname,
      port: Number(url.port || (secure ? 993 : 143)),
      secure,
      // Credentials never cross the network in clear, except to a server on this machine.
      doSTARTTLS: secure ? undefined : !loopback,
      auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) },
      logger: false,
      connectionTimeout: 15_000,
      greetingTimeout: 15_000,
      socketTimeout: 120_000,
    });
    // A dropped connection is reported by the next command; an unhandled 'error' would end the process.
    client.on("error", () => undefined);
    await client.connect();
    return client;
  };
  return {
    async purge(folder, before) {
      const client = await connect();
      try {
        const exists = (await client.list()).some((m) => m.path === folder);
        if (!exists) return 0;
        const lock = await client.getMailboxLock(folder);
        try {
          // SEARCH BEFORE compares the arrival date (INTERNALDATE), day by day.
          const uids = (await client.search({ before }, { uid: true })) || [];
          if (uids.length === 0) return 0;
          await client.messageDelete(uids.join(","), { uid: true });
          return uids.length;
        } finally {
          lock.release();
        }
      } finally {
        await client.logout().catch(() => client.close());
      }
    },
    async open(): Promise<MailboxSession> {
      const client = await connect();
      const lock = await client.getMailboxLock(inbox);
      const created = new Set<string>();
      return {
        async list(limit) {
          const entries: MailboxEntry[] = [];
          if (!client.mailbox || client.mailbox.exists === 0) return entries;
          for await (const m of client.fetch("1:*", {
            uid: true,
            internalDate: true,
            size: true,
            envelope: true,
          })) {
            entries.push({
              uid: m.uid,
              arrivedAt:
                m.internalDate instanceof Date ? m.internalDate : new Date(m.internalDate ?? Date.now()),
              size: m.size ?? 0,
              ...(m.envelope?.messageId ? { messageId: m.envelope.messageId } : {}),
              ...(m.envelope?.from?.[0]?.address ? { from: m.envelope.from[0].address } : {}),
              ...(m.envelope?.subject ? { subject: m.envelope.subject } : {}),
            });
          }
          return entries.sort((a, b) => a.uid - b.uid).slice(0, limit);
        },
        async sources(uids) {
          const out = new Map<number, Buffer>();
          if (uids.length === 0) return out;
          for await (const m of client.fetch(uids.join(","), { uid: true, source: true }, { uid: true }))
            if (m.source) out.set(m.uid, m.source);
          return out;
        },
        async move(uids, folder) {
          if (uids.length === 0) return;
          if (!created.has(folder)) {
            await client.mailboxCreate(folder).catch(() => undefined); // exists already
            created.add(folder);
          }
          const moved = await client.messageMove(uids.join(","), folder, { uid: true });
          if (!moved) throw new Error(`Boîte IMAP : déplacement vers « ${folder} » refusé.`);
        },
        async close() {
          lock.release();
          await client.logout().catch(() => client.close());
        },
      };
    },
  };
}
