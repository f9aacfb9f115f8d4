import { type ChildProcess, spawn } from "node:child_process";

/** Set in the environment of the supervised server process. */
export const SUPERVISED_ENV = "GUICHET_SUPERVISED";

export type SupervisorOptions = {
  /** The server's entry script, run again with the same Node flags (tsx's loader included). */
  script: string;
  log?: (message: string) => void;
  /** A run at least this long resets the backoff. */
  healthyAfterMs?: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
};

/**
 * Runs the server in a child process and starts it again when it dies, with a doubling delay
 * (1 s up to 30 s), saying so in the console. A server that fails at its very first start is not
 * retried: the cause (a port in use, a bad setting) needs a person, and its message is printed.
 * SIGINT and SIGTERM are passed to the server, whose own stop is awaited.
 */
export function superviseServer(opts: SupervisorOptions): void {
  const log = opts.log ?? ((m: string) => console.log(m));
  const healthyAfterMs = opts.healthyAfterMs ?? 60_000;
  const firstDelayMs = opts.firstDelayMs ?? 1_000;
  const maxDelayMs = opts.maxDelayMs ?? 30_000;
  let delay = firstDelayMs;
  let everReady = false;
  let stopping = false;
  let child: ChildProcess | undefined;

  const start = () => {
    const startedAt = Date.now();
    const current = spawn(process.execPath, [...process.execArgv, opts.script, ...process.argv.slice(2)], {
      stdio: ["inherit", "inherit", "inherit", "ipc"],
      env: { ...process.env, [SUPERVISED_ENV]: "1" },
    });
    child = current;
    current.on("message", (m) => {
      if (m === "ready") everReady = true;
    });
    current.once("exit", (code, signal) => {
      if (stopping || !everReady) process.exit(code ?? (signal ? 1 : 0));
      if (Date.now() - startedAt >= healthyAfterMs) delay = firstDelayMs;
      const how = signal ? `signal ${signal}` : `code ${code}`;
      log(
        `Guichet s'est arrêté de façon inattendue (${how}) : redémarrage dans ${Math.round(delay / 1000)} s…`,
      );
      setTimeout(() => {
        if (!stopping) start();
      }, delay);
      delay = Math.min(maxDelayMs, delay * 2);
    });
  };

  const forward = (signal: NodeJS.Signals) => {
    if (stopping && signal === "SIGINT") return;
    stopping = true;
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    else process.exit(0);
  };
  process.on("SIGINT", () => forward("SIGINT"));
  process.on("SIGTERM", () => forward("SIGTERM"));
  start();
}

/**
 * In the supervised server: an unhandled rejection (express-pouchdb rejects some promises
 * nobody awaits) is logged and the server goes on; an uncaught exception may have left any
 * state half-changed, so the process exits and the supervisor starts a clean one.
 */
export function installProcessGuards(log: (message: string) => void = (m) => console.error(m)): void {
  process.on("unhandledRejection", (reason) => {
    log(`[guichet] promesse rejetée sans traitement : ${(reason as Error)?.message ?? String(reason)}`);
  });
  process.on("uncaughtException", (error) => {
    log(
      `[guichet] erreur fatale : ${error?.message ?? String(error)} ; le superviseur redémarre le serveur.`,
    );
    process.exit(70);
  });
}

/** Tells the supervisor (if any) that the server is up: a later death is then restarted. */
export function reportReady(): void {
  process.send?.("ready");
}
