import { type Catalogue, catalogueProblems, catalogueSchema } from "../../domain/catalogue";
import { type AgentCard, type Commune, communeSchema, DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { checkCommuneId } from "./commune-id";
import { catalogueDocs, communeDoc, readCommuneConfig } from "./config-docs";
import type { Couch } from "./couch";
import { ensureDatabase, ensureDoc, ensureIndex, ensureSecurity, getDoc } from "./couch-docs";
import { type CommuneDatabases, databaseNames, sensitiveServices } from "./database-names";
import { migrateLegacyAccounts } from "./legacy-accounts";
import { LOG_INDEXES, type MangoIndex, REQUEST_INDEXES } from "./mango-indexes";
import { securityObject } from "./security";
import {
  ensureServiceAccount,
  SERVICE_ACCOUNTS,
  type ServiceAccount,
  type ServiceAccountName,
} from "./service-accounts";
import { secureUserAccounts } from "./users-db";
import {
  configValidateDocUpdate,
  logValidateDocUpdate,
  requestValidateDocUpdate,
} from "./validate-doc-update";

export type BootstrapOptions = {
  /**
   * Where GUICHET_PORTAL_PASSWORD / GUICHET_SERVER_PASSWORD are read. Default: process.env, and
   * only for the commune of GUICHET_COMMUNE (default `demo`): any other commune gets its own
   * generated passwords, kept in DATA_DIR/secrets.json.
   */
  env?: NodeJS.ProcessEnv;
};

export type BootstrapResult = {
  commune: string;
  databases: CommuneDatabases;
  settings: Commune;
  catalogue: Catalogue;
  serviceAccounts: Record<ServiceAccountName, ServiceAccount>;
  /** What this run changed, in French; empty when everything was already in place. */
  changes: string[];
};

/** The design document holding each database's validate_doc_update. */
export const VALIDATION_DDOC_ID = "_design/guichet";

/**
 * Creates or brings up to date everything a commune needs, and nothing else: running it twice
 * changes nothing the second time (same design document revisions, same `_security`).
 * `commune`: an id (settings kept if stored, defaults written otherwise) or full settings (written).
 * `catalogue`: written when given (and documents of withdrawn entries removed); otherwise the stored
 * one is kept, or the default catalogue written.
 */
export async function bootstrap(
  couch: Couch,
  commune: string | Commune,
  catalogue?: Catalogue,
  options: BootstrapOptions = {},
): Promise<BootstrapResult> {
  const id = typeof commune === "string" ? commune : commune.id;
  checkCommuneId(id);
  const givenSettings = typeof commune === "string" ? undefined : parseSettings(commune);
  const givenCatalogue = catalogue ? parseCatalogue(catalogue) : undefined;
  const changes: string[] = [];
  const configDb = databaseNames(id).config;

  await prepareDatabase(couch, configDb, id, undefined, configValidateDocUpdate(id), [], changes);
  const stored = await readCommuneConfig(couch.admin.db(configDb));
  const settings = givenSettings ?? stored.commune ?? { ...DEMO_COMMUNE, id };
  const finalCatalogue = givenCatalogue ?? stored.catalogue ?? DEFAULT_CATALOGUE;
  await writeConfigDocs(couch, configDb, settings, finalCatalogue, !!givenCatalogue, changes);

  const databases = databaseNames(id, finalCatalogue);
  const sensitive = sensitiveServices(finalCatalogue);
  const agents = stored.commune?.agents;
  const mainVdu = requestValidateDocUpdate({
    commune: id,
    service: null,
    sensitiveServices: sensitive,
    agents,
  });
  await prepareDatabase(couch, databases.main, id, undefined, mainVdu, REQUEST_INDEXES, changes);
  await prepareDatabase(couch, databases.log, id, undefined, logValidateDocUpdate(id), LOG_INDEXES, changes);
  for (const service of sensitive) {
    const name = databases.sensitive[service];
    if (!name) continue;
    const vdu = requestValidateDocUpdate({ commune: id, service, sensitiveServices: sensitive, agents });
    await prepareDatabase(couch, name, id, service, vdu, REQUEST_INDEXES, changes);
  }

  await secureUserAccounts(couch, changes);
  const env = options.env ?? defaultCommuneEnv(id);
  const accounts: Partial<Record<ServiceAccountName, ServiceAccount>> = {};
  for (const name of SERVICE_ACCOUNTS)
    accounts[name] = await ensureServiceAccount(couch, name, id, env, changes);

  await migrateLegacyAccounts(couch, id, changes);

  return {
    commune: id,
    databases,
    settings,
    catalogue: finalCatalogue,
    serviceAccounts: accounts as Record<ServiceAccountName, ServiceAccount>,
    changes,
  };
}

/** process.env's service passwords apply to the commune of GUICHET_COMMUNE only. */
function defaultCommuneEnv(id: string): NodeJS.ProcessEnv {
  return id === (process.env.GUICHET_COMMUNE?.trim() || "demo") ? process.env : {};
}

function parseSettings(commune: Commune): Commune {
  const parsed = communeSchema.safeParse(commune);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")} : ${i.message}`).join(" ; ");
    throw new Error(`Paramètres de la commune invalides : ${issues}`);
  }
  return parsed.data;
}

function parseCatalogue(catalogue: Catalogue): Catalogue {
  const parsed = catalogueSchema.safeParse(catalogue);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")} : ${i.message}`).join(" ; ");
    throw new Error(`Catalogue invalide : ${issues}`);
  }
  const problems = catalogueProblems(parsed.data);
  if (problems.length > 0) throw new Error(`Catalogue incohérent : ${problems.join(" ")}`);
  return parsed.data;
}

/**
 * Rewrites the request databases' validation after the agent directory changed: an assignment
 * names an active agent of the chosen service (validate_doc_update carries the directory).
 * The caller hands the directory it just saved: on a cluster, reading it back through _all_docs
 * may answer from a shard copy that does not hold it yet, and the rules would keep the old one.
 */
export async function refreshRequestRules(
  couch: Couch,
  id: string,
  agents: readonly AgentCard[],
): Promise<void> {
  const stored = await readCommuneConfig(couch.admin.db(databaseNames(id).config));
  const catalogue = stored.catalogue ?? DEFAULT_CATALOGUE;
  const databases = databaseNames(id, catalogue);
  const sensitive = sensitiveServices(catalogue);
  const targets: [string | undefined, string | null][] = [
    [databases.main, null],
    ...sensitive.map((s): [string | undefined, string] => [databases.sensitive[s], s]),
  ];
  for (const [name, service] of targets) {
    if (!name) continue;
    const vdu = requestValidateDocUpdate({ commune: id, service, sensitiveServices: sensitive, agents });
    await ensureDoc(couch.admin.db(name), {
      _id: VALIDATION_DDOC_ID,
      language: "javascript",
      validate_doc_update: vdu,
    });
  }
}

async function prepareDatabase(
  couch: Couch,
  name: string,
  commune: string,
  sensitiveService: string | undefined,
  vdu: string,
  indexes: MangoIndex[],
  changes: string[],
): Promise<void> {
  if (await ensureDatabase(couch.admin, name)) changes.push(`Base ${name} créée.`);
  if (await ensureSecurity(couch.admin, name, securityObject(commune, sensitiveService))) {
    changes.push(`Base ${name} : droits d'accès (_security) écrits.`);
  }
  const db = couch.admin.db(name);
  const ddoc = { _id: VALIDATION_DDOC_ID, language: "javascript", validate_doc_update: vdu };
  if (await ensureDoc(db, ddoc)) changes.push(`Base ${name} : règles de validation mises à jour.`);
  for (const index of indexes) {
    if (await ensureIndex(db, index)) changes.push(`Base ${name} : index ${index.name} créé.`);
  }
}

async function writeConfigDocs(
  couch: Couch,
  dbName: string,
  settings: Commune,
  catalogue: Catalogue,
  replaceCatalogue: boolean,
  changes: string[],
): Promise<void> {
  const db = couch.admin.db(dbName);
  const docs = [communeDoc(settings), ...catalogueDocs(catalogue)];
  let written = 0;
  for (const doc of docs) if (await ensureDoc(db, doc)) written++;
  if (written > 0)
    changes.push(`Base ${dbName} : ${written} document(s) de paramètres ou de catalogue écrits.`);
  if (!replaceCatalogue) return;
  const wanted = new Set(docs.map((d) => d._id));
  const all = await db.allDocs({});
  for (const row of all.rows) {
    if (wanted.has(row.id) || !/^(service|demarche):/.test(row.id)) continue;
    const stale = await getDoc(db, row.id);
    if (stale?._rev) await db.remove(row.id, stale._rev);
    changes.push(`Base ${dbName} : ${row.id} retiré du catalogue.`);
  }
}
