/**
 * What the intake needs from a mailbox, whatever holds it: the commune's IMAP server
 * (imap-mailbox.ts) or, in demo mode, a mailbox in this process (memory-mailbox.ts).
 */
export type MailboxEntry = {
  /** Stable within the folder (IMAP UID). */
  uid: number;
  /** When the mailbox received it (IMAP INTERNALDATE): the date of receipt of the request. */
  arrivedAt: Date;
  size: number;
  /** From the envelope, so that a message too large to fetch can still be named. */
  messageId?: string;
  from?: string;
  subject?: string;
};

export type MailboxSession = {
  /** Messages waiting in the inbox, oldest first, at most `limit`. */
  list(limit: number): Promise<MailboxEntry[]>;
  /** The raw messages (RFC 5322 bytes) of these uids. */
  sources(uids: number[]): Promise<Map<number, Buffer>>;
  /** Moves messages out of the inbox into `folder` (created when missing). */
  move(uids: number[], folder: string): Promise<void>;
  close(): Promise<void>;
};

export type Mailbox = {
  open(): Promise<MailboxSession>;
  /** Deletes the messages of `folder` that arrived before `before` (retention); how many went. */
  purge?(folder: string, before: Date): Promise<number>;
};
