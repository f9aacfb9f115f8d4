import { bootstrap } from "../couch/bootstrap";
import { checkCommuneId, isCommuneDatabase } from "../couch/commune-id";
import { readCommuneConfig } from "../couch/config-docs";
import type { Couch } from "../couch/couch";
import { listDatabases } from "../couch/couch-docs";
import { communeRolePrefix } from "../couch/couch-roles";
import { randomPassword } from "../couch/secrets";
import { SERVICE_ACCOUNTS, serviceAccountName } from "../couch/service-accounts";
import { getUserDoc, type UserDoc } from "../couch/user-docs";
import { addUser } from "../couch/users";
import { deleteCommune } from "./delete-commune";
import { type CommuneEntry, listCommunes, type MailboxSetting, registerCommune } from "./registry";

export type AddedCommune = {
  id: string;
  name: string;
  portalUrl: string;
  databases: string[];
  changes: string[];
  /** The first administrator, with the password shown once; absent when the account already existed. */
  admin: { name: string; password: string } | { name: string; existed: true };
};

/** Where a commune's portal answers: its public URL, else its first host name, else /c/<id>/. */
export function portalUrl(
  entry: Pick<CommuneEntry, "id" | "hosts" | "publicUrl">,
  serverUrl: string,
): string {
  if (entry.publicUrl) return `${entry.publicUrl.replace(/\/+$/, "")}/`;
  if (entry.hosts[0]) return `https://${entry.hosts[0]}/`;
  return `${serverUrl.replace(/\/+$/, "")}/c/${entry.id}/`;
}

/**
 * `npm run commune:add`: bootstraps a commune (databases, rules, its own service accounts and
 * secrets), registers it (running servers start serving it, no restart), and creates its first
 * administrator. Running it again changes nothing but the given name, hosts or public URL.
 */
export async function addCommune(
  couch: Couch,
  o: {
    id: string;
    name?: string;
    hosts?: string[];
    publicUrl?: string;
    /** The commune's public mailbox, read by the email door. */
    mailbox?: MailboxSetting;
    admin?: string;
    serverUrl: string;
  },
): Promise<AddedCommune> {
  checkCommuneId(o.id);
  // No environment: GUICHET_*_PASSWORD belong to the default commune, this one gets its own.
  let boot = await bootstrap(couch, o.id, undefined, { env: {} });
  const changes = [...boot.changes];
  if (o.name && o.name !== boot.settings.name) {
    boot = await bootstrap(couch, { ...boot.settings, name: o.name }, undefined, { env: {} });
    changes.push(...boot.changes);
  }
  const entry = await registerCommune(couch, o.id, {
    ...(o.hosts ? { hosts: o.hosts } : {}),
    ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
    ...(o.mailbox ? { mailbox: o.mailbox } : {}),
  });
  const adminName = o.admin ?? `admin.${o.id}`;
  let admin: AddedCommune["admin"];
  if (await getUserDoc(couch, adminName)) admin = { name: adminName, existed: true };
  else {
    const password = randomPassword();
    await addUser(couch, { name: adminName, password, roles: ["admin"], commune: o.id });
    admin = { name: adminName, password };
  }
  return {
    id: o.id,
    name: boot.settings.name,
    portalUrl: portalUrl(entry, o.serverUrl),
    databases: boot.databases.all,
    changes,
    admin,
  };
}

export type CommuneListing = {
  id: string;
  name: string;
  access: string;
  databases: string[];
  accounts: string[];
};

/** `npm run commune:list`: every commune of the registry, plus the default one when it exists. */
export async function listCommuneDetails(
  couch: Couch,
  defaultCommune: string,
  serverUrl: string,
): Promise<CommuneListing[]> {
  const entries = await listCommunes(couch);
  const all = await listDatabases(couch.admin);
  if (!entries.some((e) => e.id === defaultCommune) && all.includes(`guichet-${defaultCommune}-config`)) {
    entries.unshift({
      _id: "",
      type: "commune_entry",
      id: defaultCommune,
      hosts: [],
      publicUrl: serverUrl,
      addedAt: "",
    });
  }
  const users = (await couch.admin.db("_users").allDocs<UserDoc>({ include_docs: true })).rows
    .map((r) => r.doc)
    .filter((d): d is UserDoc => !!d && Array.isArray(d.roles));
  const out: CommuneListing[] = [];
  for (const e of entries) {
    const databases = all.filter((name) => isCommuneDatabase(name, e.id)).sort();
    const config = databases.includes(`guichet-${e.id}-config`)
      ? await readCommuneConfig(couch.admin.db(`guichet-${e.id}-config`))
      : undefined;
    const service = new Set(SERVICE_ACCOUNTS.map((k) => serviceAccountName(e.id, k)));
    const accounts = users
      .filter((u) => service.has(u.name) || u.roles.some((r) => r.startsWith(communeRolePrefix(e.id))))
      .map((u) => u.name)
      .sort();
    const access = [
      ...e.hosts.map((h) => `https://${h}/`),
      e.id === defaultCommune
        ? `${serverUrl}/ (commune par défaut)`
        : portalUrl({ ...e, hosts: [] }, serverUrl),
    ].join(", ");
    out.push({ id: e.id, name: config?.commune?.name ?? "?", access, databases, accounts });
  }
  return out;
}

export { deleteCommune };
