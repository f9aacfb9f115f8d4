import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { adminClient, type Couch } from "../../sync-server/couch/couch";

/**
 * A server the test can kill -9 and start again on the same port and data: the embedded
 * PouchDB Server in a child process, or — when CI points COUCHDB_URL at ../shared/couchdb and
 * names its data directory — that Apache CouchDB, killed through its pid file. On a cluster
 * (GUICHET_TEST_CLUSTER_DIR names the data directory of `../shared/couchdb/cluster`), the clients
 * keep COUCHDB_URL (node 1 or a load balancer) and the last node is the one killed and restarted.
 */
export type KillableCouch = {
  couch: Couch;
  host: string;
  port: number;
  kill9(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
};

export async function startKillableCouch(): Promise<KillableCouch> {
  const external = process.env.COUCHDB_URL;
  const couchDir = process.env.GUICHET_TEST_COUCHDB_DIR;
  const clusterDir = process.env.GUICHET_TEST_CLUSTER_DIR;
  if (external && clusterDir) return clusterCouch(external, clusterDir);
  if (external && couchDir) return externalCouch(external, couchDir);
  if (external) throw new Error("COUCHDB_URL sans GUICHET_TEST_COUCHDB_DIR : impossible de tuer ce serveur");
  return embeddedCouch();
}

/** A port nobody listens on now (the server is started on it again after each kill). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

async function embeddedCouch(): Promise<KillableCouch> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-chaos-"));
  const port = await freePort();
  const adminUser = "admin";
  const adminPassword = `chaos-${Date.now()}`;
  let child: ChildProcess | undefined;
  const url = `http://127.0.0.1:${port}`;

  async function start(): Promise<void> {
    const proc = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        path.resolve("tests/support/couch-process-main.ts"),
        dataDir,
        String(port),
        adminUser,
        adminPassword,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("READY")) resolve();
      });
      proc.on("exit", (code) => reject(new Error(`serveur arrêté au démarrage (${code})`)));
    });
  }
  await start();
  const couch: Couch = {
    url,
    admin: adminClient(url, adminUser, adminPassword),
    adminUser,
    adminPassword,
    kind: "embedded",
    dataDir,
    stop: async () => undefined,
  };
  async function kill9(): Promise<void> {
    const c = child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once("exit", r));
    c.kill("SIGKILL");
    await exited;
  }
  return {
    couch,
    host: "127.0.0.1",
    port,
    kill9,
    start,
    async stop() {
      await kill9();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function externalCouch(urlWithCredentials: string, dir: string): Promise<KillableCouch> {
  const u = new URL(urlWithCredentials);
  const adminUser = decodeURIComponent(u.username);
  const adminPassword = decodeURIComponent(u.password);
  const url = `${u.protocol}//${u.host}`;
  const port = Number(u.port || 5984);
  const scripts = couchdbScripts();
  const run = promisify(execFile);
  const couch: Couch = {
    url,
    admin: adminClient(url, adminUser, adminPassword),
    adminUser,
    adminPassword,
    kind: "couchdb",
    dataDir: dir,
    stop: async () => undefined,
  };
  return {
    couch,
    host: u.hostname,
    port,
    async kill9() {
      await killPid(Number(readFileSync(path.join(dir, "couchdb.pid"), "utf8").trim()));
    },
    async start() {
      await run(path.join(scripts, "start"), [String(port), dir, adminUser, adminPassword]);
    },
    async stop() {},
  };
}

/** One node of a `../shared/couchdb/cluster` cluster, which a test can kill -9 and restart. */
export type ClusterNode = {
  k: number;
  url: string;
  dir: string;
  running(): boolean;
  kill9(): Promise<void>;
  /** Starts it again with the cluster's cookie and name, so it rejoins and catches up. */
  start(): Promise<void>;
};

/** The cluster's shared settings (cookie, uuid, secret, n, base port) written by `cluster start`. */
export function clusterSettings(clusterDir: string): Record<string, string> {
  const lines = readFileSync(path.join(clusterDir, "cluster.env"), "utf8").split("\n");
  return Object.fromEntries(
    lines.filter((l) => l.includes("=")).map((l) => l.split("=", 2) as [string, string]),
  );
}

export function clusterNode(
  clusterDir: string,
  k: number,
  adminUser: string,
  adminPassword: string,
): ClusterNode {
  const settings = clusterSettings(clusterDir);
  const port = Number(settings.base) + k - 1;
  const dir = path.join(clusterDir, `n${k}`);
  const pidFile = path.join(dir, "couchdb.pid");
  const pid = () => Number(readFileSync(pidFile, "utf8").trim());
  const scripts = couchdbScripts();
  const run = promisify(execFile);
  return {
    k,
    url: `http://127.0.0.1:${port}`,
    dir,
    running: () => isRunning(pid()),
    async kill9() {
      await killPid(pid());
    },
    async start() {
      await run(path.join(scripts, "start"), [String(port), dir, adminUser, adminPassword], {
        env: {
          ...process.env,
          COUCHDB_CLUSTER: "1",
          COUCHDB_NODE_NAME: `couchdb-${k}@127.0.0.1`,
          COUCHDB_COOKIE: settings.cookie,
          COUCHDB_UUID: settings.uuid,
          COUCHDB_SECRET: settings.secret,
          COUCHDB_EXTRA_INI: path.join(clusterDir, "cluster.ini"),
        },
      });
    },
  };
}

async function clusterCouch(urlWithCredentials: string, clusterDir: string): Promise<KillableCouch> {
  const u = new URL(urlWithCredentials);
  const adminUser = decodeURIComponent(u.username);
  const adminPassword = decodeURIComponent(u.password);
  const url = `${u.protocol}//${u.host}`;
  const last = Number(clusterSettings(clusterDir).n);
  const victim = clusterNode(clusterDir, last, adminUser, adminPassword);
  if (new URL(victim.url).port === u.port)
    throw new Error("COUCHDB_URL désigne le nœud à tuer : prenez le nœud 1.");
  const couch: Couch = {
    url,
    admin: adminClient(url, adminUser, adminPassword),
    adminUser,
    adminPassword,
    kind: "couchdb",
    dataDir: victim.dir,
    stop: async () => undefined,
  };
  return {
    couch,
    host: u.hostname,
    port: Number(u.port || 5984),
    kill9: () => victim.kill9(),
    start: () => victim.start(),
    // The cluster outlives the test: leave the node running as it was found.
    async stop() {
      if (!victim.running()) await victim.start();
    },
  };
}

async function killPid(pid: number): Promise<void> {
  if (!isRunning(pid)) return;
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    process.kill(pid, "SIGKILL");
  }
  // Gone (or a zombie nobody reaps) before `start` looks at the pid file, even on a loaded machine.
  for (let i = 0; i < 100 && isRunning(pid); i++) await new Promise((r) => setTimeout(r, 100));
}

/** The scripts of ../shared/couchdb (GUICHET_TEST_COUCHDB_SCRIPTS when they live elsewhere). */
export function couchdbScripts(): string {
  return path.resolve(process.env.GUICHET_TEST_COUCHDB_SCRIPTS || "../shared/couchdb");
}

function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}
