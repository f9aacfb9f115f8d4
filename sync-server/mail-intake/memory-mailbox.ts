import type { Mailbox, MailboxEntry } from "./mailbox";

type Held = { uid: number; arrivedAt: Date; source: Buffer; folder: string };

/**
 * A mailbox inside the server process, for the demo mode (`npm start` without an IMAP server):
 * the dev inbox drops mails in it and the same intake code reads them as it reads IMAP.
 */
export class MemoryMailbox implements Mailbox {
  private readonly messages: Held[] = [];
  private nextUid = 1;

  deliver(source: string | Buffer, arrivedAt = new Date()): void {
    const data = typeof source === "string" ? Buffer.from(source) : source;
    this.messages.push({ uid: this.nextUid++, arrivedAt, source: data, folder: "INBOX" });
  }

  count(folder: string): number {
    return this.messages.filter((m) => m.folder === folder).length;
  }

  async purge(folder: string, before: Date): Promise<number> {
    const old = this.messages.filter((m) => m.folder === folder && m.arrivedAt < before);
    for (const m of old) this.messages.splice(this.messages.indexOf(m), 1);
    return old.length;
  }

  async open() {
    const inbox = () => this.messages.filter((m) => m.folder === "INBOX");
    return {
      list: async (limit: number): Promise<MailboxEntry[]> =>
        inbox()
          .slice(0, limit)
          .map((m) => ({ uid: m.uid, arrivedAt: m.arrivedAt, size: m.source.length })),
      sources: async (uids: number[]) =>
        new Map(inbox().flatMap((m) => (uids.includes(m.uid) ? [[m.uid, m.source] as const] : []))),
      move: async (uids: number[], folder: string) => {
        for (const m of inbox()) if (uids.includes(m.uid)) m.folder = folder;
      },
      close: async () => undefined,
    };
  }
}
