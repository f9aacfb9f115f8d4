import {
  type Catalogue,
  catalogueSchema,
  type Demarche,
  demarcheSchema,
  type Service,
} from "../../domain/catalogue";
import { type AgentCard, agentCardSchema, type Commune, communeSchema } from "../../domain/commune";
import { type NoticeTemplates, noticeTemplatesSchema } from "../../domain/notice-templates";
import type { CouchDb } from "./couch-db";

/**
 * How a commune's settings and catalogue are stored in its -config database: one document each,
 * so two admins editing different démarches never conflict.
 *   commune                  { type: "commune", ...Commune }
 *   service:<id>             { type: "service", ...Service }
 *   demarche:<id>            { type: "demarche", ...Demarche }          the current version
 *   demarche-version:<id>@<n> { type: "demarche_version", ...Demarche }  version n, once replaced
 *   agents                   { type: "agents", agents: AgentCard[], version }  the agent directory
 *   history:<docId>@<n>      { type: "config_version", of, version, content }  commune, agents or
 *                            service:<id> as it was at version n, once replaced
 * Replaced versions are kept (never changed again) so a request still shows the fields it was made
 * with; their ids do not start with "demarche:", so bootstrap's catalogue replacement leaves them.
 * The directory is read with the commune (`Commune.agents`) but stored apart, so identity and
 * agents have their own versions and an identity change never rewrites personal data.
 */
export const COMMUNE_DOC_ID = "commune";
export const serviceDocId = (id: string): string => `service:${id}`;
export const demarcheDocId = (id: string): string => `demarche:${id}`;
export const DEMARCHE_VERSION_PREFIX = "demarche-version:";
export const AGENTS_DOC_ID = "agents";
/** A démarche's notice templates (domain/notice-templates.ts), versioned like the commune. */
export const noticesDocId = (demarche: string): string => `notices:${demarche}`;
export const HISTORY_PREFIX = "history:";
export const historyDocId = (docId: string, version: number): string =>
  `${HISTORY_PREFIX}${docId}@${version}`;
export const demarcheVersionDocId = (id: string, version: number): string =>
  `${DEMARCHE_VERSION_PREFIX}${id}@${version}`;

export type ConfigDoc =
  | ({ _id: string; type: "commune" } & Commune)
  | ({ _id: string; type: "service" } & Service)
  | ({ _id: string; type: "demarche" } & Demarche)
  | ({ _id: string; type: "demarche_version" } & Demarche);

/** The commune's own document: the directory is left out (it has its own). */
export function communeDoc(commune: Commune): ConfigDoc {
  const { agents: _stored, ...identity } = commune;
  return { _id: COMMUNE_DOC_ID, type: "commune", ...identity };
}

export function catalogueDocs(catalogue: Catalogue): ConfigDoc[] {
  return [
    ...catalogue.services.map((s): ConfigDoc => ({ _id: serviceDocId(s.id), type: "service", ...s })),
    ...catalogue.demarches.map((d): ConfigDoc => ({ _id: demarcheDocId(d.id), type: "demarche", ...d })),
  ];
}

export type StoredDoc = { _id: string; _rev?: string; type?: string } & Record<string, unknown>;

/** A stored document without CouchDB's and the type's members: the domain object. */
export const strip = (doc: StoredDoc): Record<string, unknown> => {
  const { _id: _i, _rev: _r, type: _t, ...rest } = doc;
  return rest;
};

/** Reads settings and catalogue back; undefined parts when not written yet. Throws on invalid data. */
export async function readCommuneConfig(db: CouchDb): Promise<ReturnType<typeof parseConfigDocs>> {
  const all = await db.allDocs<StoredDoc>({ include_docs: true });
  return parseConfigDocs(all.rows.map((r) => r.doc));
}

/** Settings and catalogue out of the -config database's documents (archived versions left out). */
export function parseConfigDocs(rows: readonly (StoredDoc | null | undefined)[]): {
  commune: Commune | undefined;
  catalogue: Catalogue | undefined;
  noticeTemplates: Record<string, NoticeTemplates>;
} {
  const docs = rows.filter((d): d is StoredDoc => !!d);
  const communeStored = docs.find((d) => d._id === COMMUNE_DOC_ID);
  const agents = parseAgents(docs.find((d) => d._id === AGENTS_DOC_ID));
  const services = docs.filter((d) => d.type === "service").map(strip);
  const demarches = docs.filter((d) => d.type === "demarche").map(strip);
  return {
    commune: communeStored
      ? communeSchema.parse({ ...strip(communeStored), ...(agents ? { agents } : {}) })
      : undefined,
    catalogue: services.length > 0 ? catalogueSchema.parse({ services, demarches }) : undefined,
    noticeTemplates: parseNoticeTemplates(docs),
  };
}

/** Each démarche's notice templates; a document that no longer parses is left out (the default wording then). */
export function parseNoticeTemplates(docs: readonly StoredDoc[]): Record<string, NoticeTemplates> {
  const out: Record<string, NoticeTemplates> = {};
  for (const d of docs) {
    if (d.type !== "notice_templates" || typeof d.demarche !== "string") continue;
    const parsed = noticeTemplatesSchema.safeParse(d.templates);
    if (parsed.success) out[d.demarche] = parsed.data;
  }
  return out;
}

/** Archived versions out of their documents; one that no longer parses is left out, not fatal. */
export function parseArchivedVersions(rows: readonly (StoredDoc | null | undefined)[]): Demarche[] {
  return rows.flatMap((d) => {
    if (d?.type !== "demarche_version") return [];
    const parsed = demarcheSchema.safeParse(strip(d));
    return parsed.success ? [parsed.data] : [];
  });
}

/** The directory's cards; one that no longer parses is left out (a letter then names the service). */
export function parseAgents(doc: StoredDoc | null | undefined): AgentCard[] | undefined {
  if (!doc || !Array.isArray(doc.agents)) return undefined;
  return doc.agents.flatMap((a) => {
    const parsed = agentCardSchema.safeParse(a);
    return parsed.success ? [parsed.data] : [];
  });
}

export type HistoryEntry = { of: string; version: number; updatedBy?: string; updatedAt?: string };

/** Past versions of the commune, the directory or a service, newest first: who wrote each, and when. */
export function historyOf(rows: readonly (StoredDoc | null | undefined)[], of: string): HistoryEntry[] {
  return rows
    .filter((d): d is StoredDoc => d?.type === "config_version" && d.of === of)
    .map((d) => {
      const content = (d.content ?? {}) as Record<string, unknown>;
      return {
        of,
        version: Number(d.version),
        ...(typeof content.updatedBy === "string" ? { updatedBy: content.updatedBy } : {}),
        ...(typeof content.updatedAt === "string" ? { updatedAt: content.updatedAt } : {}),
      };
    })
    .sort((a, b) => b.version - a.version);
}
