import { z } from "zod";
import type { Couch } from "../couch/couch";
import { statusOf } from "../couch/couch";
import { ensureDatabase, ensureSecurity, getDoc } from "../couch/couch-docs";

/**
 * The communes one server serves, in a server-level database that only server admins open.
 * Its name has an underscore, which commune ids cannot contain: no commune database is ever named so.
 */
export const REGISTRY_DB = "guichet_communes";

/**
 * The commune's public mailbox, read by the email door (mail-intake/). Here, in a database only
 * server admins open, because the URL holds the IMAP password: it never reaches a counter.
 */
export const mailboxSettingSchema = z
  .object({
    /** imap://user:password@host:143/INBOX or imaps://…:993. */
    imapUrl: z.string().regex(/^imaps?:\/\/[^\s]+$/, "Adresse IMAP attendue (imap:// ou imaps://)."),
    /** The address citizens write to (replies come back as `local+NUMÉRO@domaine`). */
    address: z.email().optional(),
    pollSeconds: z.number().int().min(5).max(3600).optional(),
  })
  .strict();
export type MailboxSetting = z.infer<typeof mailboxSettingSchema>;

export const communeEntrySchema = z
  .object({
    _id: z.string(),
    _rev: z.string().optional(),
    type: z.literal("commune_entry"),
    id: z.string(),
    /** Host names that choose this commune (`mairie-a.example.fr`), lower case, no port. */
    hosts: z.array(z.string()),
    /** The portal's public address, when not the server's own + /c/<id>. */
    publicUrl: z.string().optional(),
    mailbox: mailboxSettingSchema.optional(),
    addedAt: z.string(),
  })
  .strict();
export type CommuneEntry = z.infer<typeof communeEntrySchema>;

export const entryId = (commune: string): string => `commune:${commune}`;

// Only server admins: on PouchDB Server an empty members list would make it public.
const SECURITY = {
  admins: { names: [], roles: ["_admin"] },
  members: { names: [], roles: ["_admin"] },
};

export async function ensureRegistry(couch: Couch): Promise<void> {
  await ensureDatabase(couch.admin, REGISTRY_DB);
  await ensureSecurity(couch.admin, REGISTRY_DB, SECURITY);
}

/** Adds or updates a commune's entry (hosts, public URL); the running servers pick it up. */
export async function registerCommune(
  couch: Couch,
  commune: string,
  options: { hosts?: string[]; publicUrl?: string; mailbox?: MailboxSetting | null; now?: Date } = {},
): Promise<CommuneEntry> {
  await ensureRegistry(couch);
  const db = couch.admin.db(REGISTRY_DB);
  const stored = (await getDoc(db, entryId(commune))) as CommuneEntry | undefined;
  // null removes the mailbox; undefined keeps the stored one.
  const mailbox = options.mailbox === null ? undefined : (options.mailbox ?? stored?.mailbox);
  const entry: CommuneEntry = communeEntrySchema.parse({
    _id: entryId(commune),
    ...(stored?._rev ? { _rev: stored._rev } : {}),
    type: "commune_entry",
    id: commune,
    hosts: [...new Set((options.hosts ?? stored?.hosts ?? []).map(normalizeHost))].sort(),
    ...((options.publicUrl ?? stored?.publicUrl)
      ? { publicUrl: options.publicUrl ?? stored?.publicUrl }
      : {}),
    ...(mailbox ? { mailbox } : {}),
    addedAt: stored?.addedAt ?? (options.now ?? new Date()).toISOString(),
  });
  await db.put(entry);
  return entry;
}

export async function unregisterCommune(couch: Couch, commune: string): Promise<boolean> {
  const db = couch.admin.db(REGISTRY_DB);
  const stored = await getDoc(db, entryId(commune)).catch((e) => {
    if (statusOf(e) === 404) return undefined;
    throw e;
  });
  if (!stored?._rev) return false;
  await db.remove(stored._id, stored._rev);
  return true;
}

/** Every registered commune (none when the registry does not exist yet). */
export async function listCommunes(couch: Couch): Promise<CommuneEntry[]> {
  try {
    const rows = await couch.admin.db(REGISTRY_DB).allDocs({ include_docs: true });
    return rows.rows
      .map((r) => communeEntrySchema.safeParse(r.doc))
      .filter((p) => p.success)
      .map((p) => p.data);
  } catch (e) {
    if (statusOf(e) === 404) return [];
    throw e;
  }
}

export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}
