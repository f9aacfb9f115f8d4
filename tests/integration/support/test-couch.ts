import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { ServerScope } from "nano";
import type { Role } from "../../../domain/roles";
import { deleteCommune } from "../../../sync-server/communes/delete-commune";
import { loadConfig, type ServerConfig } from "../../../sync-server/config";
import { type BootstrapResult, bootstrap } from "../../../sync-server/couch/bootstrap";
import { type Couch, connectCouch } from "../../../sync-server/couch/couch";
import type { DatabaseKind } from "../../../sync-server/couch/database-names";
import { randomPassword } from "../../../sync-server/couch/secrets";
import { addUser } from "../../../sync-server/couch/users";
import { nanoAdmin } from "../../support/nano-admin";

export type TestUser = { name: string; password: string };

export type TestCouch = {
  kind: "embedded" | "couchdb";
  /** Server URL without credentials. */
  url: string;
  /** nano client with server-admin rights (still valid after `restart`). */
  admin: ServerScope;
  adminUser: string;
  adminPassword: string;
  /** A fresh commune id for this call, bootstrapped. */
  commune: string;
  /** What bootstrap returned (databases, service accounts and their passwords). */
  bootstrapped: BootstrapResult;
  /** The connection itself, e.g. to run bootstrap again. */
  readonly couch: Couch;
  dbName(kind: DatabaseKind, service?: string): string;
  dbUrl(kind: DatabaseKind, service?: string): string;
  /** An account of this commune; the name gets the commune as suffix so runs never share one. */
  createUser(name: string, roles: Role[], services?: string[]): Promise<TestUser>;
  /**
   * Embedded: stops the server and starts it again on the same port and data directory.
   * COUCHDB_URL: restarts it when it is the CouchDB of ../shared/couchdb started by .ci/run
   * (GUICHET_TEST_COUCHDB_DIR names its data directory); otherwise does nothing.
   */
  restart(): Promise<void>;
  /** Embedded: stops and deletes the data. COUCHDB_URL: deletes this commune's databases and accounts. */
  stop(): Promise<void>;
};

/** The origin the embedded server of the tests accepts for CORS (GUICHET_TEST_CORS_ORIGIN moves a bench page to another port). */
export const TEST_CORS_ORIGIN = process.env.GUICHET_TEST_CORS_ORIGIN ?? "http://localhost:5173";

/**
 * The server of an integration test: the CouchDB of COUCHDB_URL when set (admin credentials in the URL
 * or in COUCHDB_ADMIN_USER / COUCHDB_ADMIN_PASSWORD), else an embedded PouchDB Server on a free port
 * in a fresh temporary directory. Either way a fresh random commune, bootstrapped.
 */
export async function startTestCouch(): Promise<TestCouch> {
  const commune = `it-${randomBytes(5).toString("hex")}`;
  const external = process.env.COUCHDB_URL?.trim();
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-it-"));
  const config: ServerConfig = external
    ? {
        ...loadConfig({ ...process.env, GUICHET_DATA_DIR: dataDir }),
        corsOrigins: [],
        commune,
        // Tests sync as agents without a workstation; fleet.test.ts requires identities itself.
        workstationIdentity: "optional",
      }
    : {
        couchdbUrl: undefined,
        adminUser: undefined,
        adminPassword: undefined,
        dataDir,
        couchPort: 0,
        corsOrigins: [TEST_CORS_ORIGIN],
        commune,
      };
  let couch = await connectCouch(config);
  const admin = nanoAdmin(couch.url, couch.adminUser, couch.adminPassword);
  const port = Number(new URL(couch.url).port);
  const version = ((await admin.info()) as { version?: string }).version ?? "?";
  console.log(
    couch.kind === "couchdb"
      ? `[integration] CouchDB ${version} (COUCHDB_URL ${couch.url}), commune ${commune}`
      : `[integration] PouchDB Server embarqué ${couch.url} (${dataDir}), commune ${commune}`,
  );

  // Stable service-account passwords on a shared CouchDB: a wrong guess at each run would end in its
  // 5-failure lockout of the portal and server accounts.
  const stable = (account: string) =>
    createHash("sha256").update(`${couch.adminPassword}:guichet-it:${account}`).digest("base64url");
  const env = { GUICHET_PORTAL_PASSWORD: stable("portal"), GUICHET_SERVER_PASSWORD: stable("server") };
  const bootstrapped = await bootstrap(couch, commune, undefined, { env });
  const users: string[] = [];

  const dbName = (kind: DatabaseKind, service?: string): string => {
    const names = bootstrapped.databases;
    if (kind !== "sensitive") return names[kind];
    const name = service ? names.sensitive[service] : undefined;
    if (!name) throw new Error(`Pas de base sensible pour le service ${service ?? "(aucun)"}.`);
    return name;
  };

  return {
    kind: couch.kind,
    url: couch.url,
    admin,
    adminUser: couch.adminUser,
    adminPassword: couch.adminPassword,
    commune,
    bootstrapped,
    get couch() {
      return couch;
    },
    dbName,
    dbUrl: (kind, service) => `${couch.url}/${encodeURIComponent(dbName(kind, service))}`,
    async createUser(name, roles, services = []) {
      const user = { name: `${name}.${commune}`, password: randomPassword() };
      await addUser(couch, { ...user, roles, services, commune });
      users.push(user.name);
      return user;
    },
    async restart() {
      if (couch.kind !== "embedded") {
        await restartLocalCouchdb(couch.adminUser, couch.adminPassword);
        return;
      }
      await couch.stop();
      couch = await connectCouch({ ...config, couchPort: port });
    },
    async stop() {
      if (couch.kind === "embedded") {
        await couch.stop();
      } else {
        await cleanUpCouchdb(couch, bootstrapped, users);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Removes a bootstrapped commune from a shared server: its databases, accounts and secrets (deleteCommune), and the given users. */
export async function cleanUpCouchdb(couch: Couch, b: BootstrapResult, users: string[]): Promise<void> {
  await deleteCommune(couch, b.commune);
  const usersDb = nanoAdmin(couch.url, couch.adminUser, couch.adminPassword).use<{ roles: string[] }>(
    "_users",
  );
  for (const name of users) {
    const doc = await usersDb.get(`org.couchdb.user:${name}`).catch(() => undefined);
    if (doc) await usersDb.destroy(doc._id, doc._rev);
  }
}

/** Stops and starts the ../shared/couchdb instance whose data directory CI names, on the same port. */
async function restartLocalCouchdb(adminUser: string, adminPassword: string): Promise<void> {
  const dir = process.env.GUICHET_TEST_COUCHDB_DIR;
  const url = process.env.COUCHDB_URL;
  if (!dir || !url) return;
  const scripts = path.resolve(process.cwd(), "../shared/couchdb");
  const port = new URL(url).port || "5984";
  const run = promisify(execFile);
  await run(path.join(scripts, "stop"), [dir]);
  await run(path.join(scripts, "start"), [port, dir, adminUser, adminPassword]);
}
