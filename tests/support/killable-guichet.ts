import { type ChildProcess, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ServerScope } from "nano";
import { loadConfig } from "../../sync-server/config";
import { type BootstrapResult, bootstrap } from "../../sync-server/couch/bootstrap";
import { connectCouch, statusOf } from "../../sync-server/couch/couch";
import { deleteDatabase } from "../../sync-server/couch/couch-docs";
import { randomPassword } from "../../sync-server/couch/secrets";
import { serverDatabaseName } from "../../sync-server/services/server-db";
import { cleanUpCouchdb } from "../integration/support/test-couch";
import { freePort, type KillableCouch, startKillableCouch } from "./killable-couch";
import { nanoAdmin } from "./nano-admin";

/**
 * The whole Guichet server (portal, JSON API, Open311, mail, and — without COUCHDB_URL — the
 * embedded PouchDB Server with its LevelDB files) in a child process the test can kill -9 and
 * start again on the same port and the same data. With COUCHDB_URL the child talks to that
 * CouchDB; when GUICHET_TEST_COUCHDB_DIR names its data directory, CouchDB itself can be killed
 * too (`database`).
 */
export type KillableGuichet = {
  /** The portal and API, same address across restarts. */
  url: string;
  commune: string;
  kind: "embedded" | "couchdb";
  /** Admin client of the database server (embedded: only while the child runs). */
  admin: ServerScope;
  mainDb: string;
  kill9(): Promise<void>;
  start(): Promise<void>;
  /** The external CouchDB, killable, when COUCHDB_URL and GUICHET_TEST_COUCHDB_DIR are both set. */
  database?: KillableCouch;
  /** The child's last log lines (shown when a test fails). */
  logTail(): string;
  stop(): Promise<void>;
};

export async function startKillableGuichet(): Promise<KillableGuichet> {
  const commune = `dur-${randomBytes(4).toString("hex")}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-durability-"));
  const port = await freePort();
  const external = process.env.COUCHDB_URL?.trim();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GUICHET_DATA_DIR: dataDir,
    GUICHET_COMMUNE: commune,
    GUICHET_CORS_ORIGINS: "",
  };
  let admin: ServerScope;
  let kind: "embedded" | "couchdb";
  let bootstrapped: BootstrapResult | undefined;
  let database: KillableCouch | undefined;
  if (external) {
    kind = "couchdb";
    const config = loadConfig({ ...env });
    const couch = await connectCouch(config);
    // Stable service passwords on a shared CouchDB (a new one each run would lock the accounts out).
    const stable = (account: string) =>
      createHash("sha256").update(`${couch.adminPassword}:guichet-it:${account}`).digest("base64url");
    env.GUICHET_PORTAL_PASSWORD = stable("portal");
    env.GUICHET_SERVER_PASSWORD = stable("server");
    bootstrapped = await bootstrap(couch, commune, undefined, { env });
    admin = nanoAdmin(couch.url, couch.adminUser, couch.adminPassword);
    // On a cluster, the node killed is one the server does not talk to (see killable-couch).
    if (process.env.GUICHET_TEST_COUCHDB_DIR || process.env.GUICHET_TEST_CLUSTER_DIR)
      database = await startKillableCouch();
  } else {
    kind = "embedded";
    const couchPort = await freePort();
    const adminPassword = randomPassword();
    Object.assign(env, {
      COUCHDB_URL: "",
      GUICHET_COUCH_PORT: String(couchPort),
      COUCHDB_ADMIN_USER: "admin",
      COUCHDB_ADMIN_PASSWORD: adminPassword,
    });
    admin = nanoAdmin(`http://127.0.0.1:${couchPort}`, "admin", adminPassword);
  }

  let child: ChildProcess | undefined;
  const tail: string[] = [];
  const keep = (d: Buffer) => {
    tail.push(...d.toString().split("\n").filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 60));
  };

  async function start(): Promise<void> {
    const proc = spawn(
      process.execPath,
      ["--import", "tsx", path.resolve("tests/support/guichet-process-main.ts"), String(port)],
      { stdio: ["ignore", "pipe", "pipe"], env },
    );
    child = proc;
    proc.stderr?.on("data", keep);
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(
        () => reject(new Error(`serveur Guichet pas prêt en 60 s\n${tail.join("\n")}`)),
        60_000,
      );
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("READY")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`serveur Guichet arrêté au démarrage (${code})\n${tail.join("\n")}`));
      });
    });
  }

  async function kill9(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }

  await start();
  return {
    url: `http://127.0.0.1:${port}`,
    commune,
    kind,
    admin,
    mainDb: `guichet-${commune}`,
    kill9,
    start,
    ...(database ? { database } : {}),
    logTail: () => tail.join("\n"),
    async stop() {
      await kill9();
      if (bootstrapped) {
        const couch = await connectCouch(loadConfig({ ...env }));
        await cleanUpCouchdb(couch, bootstrapped, []);
        await deleteDatabase(couch.admin, serverDatabaseName(commune)).catch((e) => {
          if (statusOf(e) !== 404) throw e;
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
