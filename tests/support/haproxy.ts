import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "./killable-couch";

/** Debian's HAProxy in front of a CouchDB cluster, as a deployment would put it. */
export type Haproxy = { url: string; port: number; stop(): Promise<void> };

/**
 * Round-robin over `backends`, each checked on `GET /_up` every 300 ms (down after 2 failures, up
 * after 2 successes); a connection refused by a dead node is sent to another (`redispatch`).
 * Listens on GUICHET_TEST_HAPROXY_PORT, or on a free port.
 */
export async function startHaproxy(backends: string[]): Promise<Haproxy> {
  const port = Number(process.env.GUICHET_TEST_HAPROXY_PORT || (await freePort()));
  const dir = mkdtempSync(path.join(tmpdir(), "guichet-haproxy-"));
  const servers = backends.map((b, i) => {
    const u = new URL(b);
    return `  server n${i + 1} ${u.hostname}:${u.port} check inter 300 fall 2 rise 2`;
  });
  const config = [
    "global",
    "  maxconn 1024",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 120s",
    "  timeout server 120s",
    "  retries 3",
    "  option redispatch",
    "frontend couch",
    `  bind 127.0.0.1:${port}`,
    "  default_backend nodes",
    "backend nodes",
    "  balance roundrobin",
    "  option httpchk GET /_up",
    "  http-check expect status 200",
    ...servers,
    "",
  ].join("\n");
  const file = path.join(dir, "haproxy.cfg");
  writeFileSync(file, config);
  const child: ChildProcess = spawn("haproxy", ["-db", "-f", file], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (d: Buffer) => {
    log = (log + d.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`HAProxy arrêté au démarrage : ${log}`);
    const up = await fetch(`${url}/_up`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 100) throw new Error(`HAProxy ne répond pas sur ${url} : ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Server admins live in each node's local.ini, each hashed with a salt of its own, and CouchDB
 * signs a session cookie with the shared secret and the user's salt: behind a load balancer, an
 * admin's cookie from one node is refused by the others (401 "You are not a server admin"). Every
 * node gets node 1's hash, as an operator does. Accounts in `_users` are shared and need nothing.
 */
export async function shareAdminHash(nodeUrls: string[], user: string, password: string): Promise<void> {
  const headers = {
    Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`,
    "content-type": "application/json",
  };
  const path = `/_node/_local/_config/admins/${encodeURIComponent(user)}`;
  const [first, ...others] = nodeUrls;
  const res = await fetch(`${first}${path}`, { headers });
  if (!res.ok) throw new Error(`hachage de l'administrateur illisible (${res.status})`);
  const hash = (await res.json()) as string;
  for (const url of others) {
    const put = await fetch(`${url}${path}`, { method: "PUT", headers, body: JSON.stringify(hash) });
    if (!put.ok) throw new Error(`hachage non copié sur ${url} (${put.status})`);
  }
}
