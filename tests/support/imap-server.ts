import { execFile, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ImapFlow } from "imapflow";

const run = promisify(execFile);

export const DOVECOT = process.env.DOVECOT_PATH ?? "/usr/sbin/dovecot";

/**
 * A real IMAP server for the tests: Debian's dovecot (package dovecot-imapd), started without
 * systemd in a temporary directory, on a free port of 127.0.0.1, one passwd-file user with a
 * maildir, no TLS. As root, the login and mail processes run as dovecot's own users (dovecot
 * refuses root there); as any other user, everything runs as that user.
 */
export type ImapTestServer = {
  host: string;
  port: number;
  user: string;
  password: string;
  /** imap://user:password@127.0.0.1:port (what GUICHET_IMAP_URL takes). */
  url: string;
  /** The same for another mailbox of `users` (one mailbox per commune). */
  urlOf(user: string): string;
  /** Delivers a raw message into a folder (IMAP APPEND), with its arrival date. */
  append(raw: string | Buffer, opts?: { folder?: string; date?: Date; user?: string }): Promise<void>;
  /** How many messages a folder holds (0 when it does not exist). */
  count(folder: string, user?: string): Promise<number>;
  stop(): Promise<void>;
};

/** `users`: more mailboxes besides « mairie », each with the same password. */
export async function startImapServer(opts: { users?: string[] } = {}): Promise<ImapTestServer> {
  if (!existsSync(DOVECOT))
    throw new Error(`dovecot introuvable (${DOVECOT}) : apt-get install -y dovecot-imapd`);
  const dir = mkdtempSync(path.join(tmpdir(), "guichet-imap-"));
  const port = await freePort();
  const user = "mairie";
  const password = "imap-test-secret";
  const asRoot = process.getuid?.() === 0;
  const me = userInfo().username;
  const mailUser = asRoot ? "dovecot" : me;
  // dovecot's auth and mail processes (other users when run as root) read the passwd file here.
  chmodSync(dir, 0o755);
  for (const d of ["base", "state", "mail"]) mkdirSync(path.join(dir, d));
  if (asRoot) {
    const { stdout } = await run("id", ["-u", mailUser]);
    const { stdout: gid } = await run("id", ["-g", mailUser]);
    chownSync(path.join(dir, "mail"), Number(stdout.trim()), Number(gid.trim()));
  }
  const users = [user, ...(opts.users ?? []).filter((u) => u !== user)];
  writeFileSync(path.join(dir, "passwd"), users.map((u) => `${u}:{PLAIN}${password}\n`).join(""));
  writeFileSync(
    path.join(dir, "dovecot.conf"),
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/base
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = ${asRoot ? "dovecot" : me}
default_internal_group = ${asRoot ? "dovecot" : me}
default_login_user = ${asRoot ? "dovenull" : me}
mail_location = maildir:${dir}/mail/%u
first_valid_uid = 1
mail_max_userip_connections = 100
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUser} gid=${mailUser} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
namespace inbox {
  inbox = yes
  separator = /
}
`,
  );
  // In the foreground (-F), as this process's child: a daemon would hold execFile's pipes open.
  const child = spawn(DOVECOT, ["-F", "-c", path.join(dir, "dovecot.conf")], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await waitUntil(
    () => canConnect(port),
    10_000,
    () => readLog(dir),
  );
  const client = (as = user) =>
    new ImapFlow({
      host: "127.0.0.1",
      port,
      secure: false,
      auth: { user: as, pass: password },
      logger: false,
    });

  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    url: `imap://${user}:${password}@127.0.0.1:${port}`,
    urlOf: (u) => `imap://${u}:${password}@127.0.0.1:${port}`,
    async append(raw, opts = {}) {
      const c = client(opts.user);
      await c.connect();
      try {
        const folder = opts.folder ?? "INBOX";
        if (folder !== "INBOX") await c.mailboxCreate(folder).catch(() => undefined);
        await c.append(folder, raw, [], opts.date ?? new Date());
      } finally {
        await c.logout().catch(() => undefined);
      }
    },
    async count(folder, as) {
      const c = client(as);
      await c.connect();
      try {
        const s = await c.status(folder, { messages: true });
        return s.messages ?? 0;
      } catch {
        return 0;
      } finally {
        await c.logout().catch(() => undefined);
      }
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const readLog = (dir: string): string => {
  const file = path.join(dir, "dovecot.log");
  return existsSync(file) ? readFileSync(file, "utf8").slice(-2000) : "";
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import("node:net");
  return new Promise((resolve) => {
    const sock = connect(port, "127.0.0.1");
    sock.once("connect", () => {
      sock.destroy();
      resolve(true);
    });
    sock.once("error", () => resolve(false));
  });
}

async function waitUntil(
  cond: () => Promise<boolean> | boolean,
  ms: number,
  why: () => string,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot : délai dépassé\n${why()}`);
}
