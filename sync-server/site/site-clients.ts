import { batchedDb } from "../couch/batched-db";
import type { BootstrapResult } from "../couch/bootstrap";
import type { Couch } from "../couch/couch";
import { type CouchDb, type CouchServer, couchServer } from "../couch/couch-db";
import { directDb } from "../couch/in-process-db";
import type { WorkstationRegistry } from "../couch/workstation-registry";
import { ApiKeys, apiKeyDatabaseName, ensureApiKeyDatabase } from "../services/api-keys";
import { OPEN311_INDEX } from "../services/open311-listing";
import { ensureServerDatabase } from "../services/server-db";

/** One commune's database clients: one per account (admin, portal, server), each used for its own work. */
export type SiteClients = {
  admin: CouchServer;
  asServer: CouchServer;
  /** The commune's server database (outbox, counters, checkpoints). */
  serverDbName: string;
  /** The server account's client of a database, grouped (group commit) under load. */
  serverDb: (name: string) => CouchDb;
  /** The server account's client of a database, ungrouped (batches in-process on the embedded server). */
  serverDirect: (name: string) => CouchDb;
  /** `serverDb(serverDbName)`. */
  stateDb: CouchDb;
  /** The main database as the portal account (what citizens' submissions are written with). */
  mainDb: CouchDb;
  apiKeys: ApiKeys;
  /** No credentials of its own: the server's calls made with an agent's (the API has checked the workstation). */
  asAgents: () => CouchServer;
};

/** Opens the clients and makes sure the server-only databases and indexes exist. */
export async function openSiteClients(
  couch: Couch,
  boot: BootstrapResult,
  workstations: WorkstationRegistry,
): Promise<SiteClients> {
  const admin = couchServer(couch.url, { username: couch.adminUser, password: couch.adminPassword });
  const portal = boot.serviceAccounts.portal;
  const server = boot.serviceAccounts.server;
  const asPortal = couchServer(couch.url, { username: portal.name, password: portal.password });
  const asServer = couchServer(couch.url, { username: server.name, password: server.password });
  const serverDbName = await ensureServerDatabase(admin, boot.commune);
  await ensureApiKeyDatabase(admin, boot.commune);
  await admin
    .db(boot.databases.main)
    .createIndex({ fields: OPEN311_INDEX.fields }, OPEN311_INDEX.ddoc, OPEN311_INDEX.name);
  // The embedded server runs in this process: the service accounts' batches skip HTTP.
  const direct = (account: CouchServer) => (name: string) => directDb(couch, account, name);
  const serverDirect = direct(asServer);
  const serverDb = groupedDbs(serverDirect);
  return {
    admin,
    asServer,
    serverDbName,
    serverDb,
    serverDirect,
    stateDb: serverDb(serverDbName),
    mainDb: direct(asPortal)(boot.databases.main),
    apiKeys: new ApiKeys(asServer.db(apiKeyDatabaseName(boot.commune))),
    asAgents: () => couchServer(couch.url, undefined, workstations.internalHeaders()),
  };
}

/** The outbox and the jobs do many small reads and writes: grouped under load, one client per database. */
function groupedDbs(open: (name: string) => CouchDb): (name: string) => CouchDb {
  const dbs = new Map<string, CouchDb>();
  return (name) => {
    let db = dbs.get(name);
    if (!db) {
      db = batchedDb(open(name), { lingerMs: 50 });
      dbs.set(name, db);
    }
    return db;
  };
}
