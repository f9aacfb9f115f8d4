import { type ChildProcess, spawn as nodeSpawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { APP_ORIGIN } from "./app-origin";
import { DESKTOP_ENV } from "./desktop-env";
import { type BinaryProbe, findElectronBinary, locateElectronPackage } from "./electron-binary";
import { checkSyncOrigin, checkSyncUrl } from "./url-policy";

/** The origin the desktop app's requests carry: add it to GUICHET_CORS_ORIGINS. */
export const DESKTOP_ORIGIN = APP_ORIGIN;

export type LaunchOptions = {
  /** The counter app as served by the sync-server, e.g. http://127.0.0.1:3000/guichet/ */
  counterUrl: string;
  /** Origins of the CouchDB the app syncs with, e.g. ["http://127.0.0.1:5984"]. */
  couchOrigins: string[];
};

export type LaunchResult = { launched: true; stop(): Promise<void> } | { launched: false; reason: string };

export type LaunchDeps = {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  /** node_modules/electron; found from projectDir by default. */
  electronDir: string | null;
  probe: BinaryProbe;
  spawn: typeof nodeSpawn;
  log(message: string): void;
  /** How long stop() waits before killing. */
  stopTimeoutMs: number;
};

const here = path.dirname(fileURLToPath(import.meta.url));

/** The server's base address from the counter app's: …/guichet/ removed. */
export function serverUrlOf(counterUrl: string): ReturnType<typeof checkSyncUrl> {
  let base = counterUrl.trim();
  try {
    const u = new URL(base);
    u.pathname = u.pathname.replace(/\/guichet\/?(index\.html)?$/, "/");
    base = u.toString();
  } catch {
    // checkSyncUrl says why.
  }
  return checkSyncUrl(base);
}

/** Linux and the BSDs need an X or Wayland display; Windows and macOS always have one. */
export function displayMissing(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): boolean {
  if (platform === "win32" || platform === "darwin") return false;
  return !env.DISPLAY && !env.WAYLAND_DISPLAY;
}

/**
 * Starts the desktop app pointed at the server `npm start` just started, or says in one French
 * line why it cannot (then the counter app is used in a browser). Never downloads Electron.
 */
export async function launchDesktop(
  opts: LaunchOptions,
  deps: Partial<LaunchDeps> = {},
): Promise<LaunchResult> {
  const projectDir = deps.projectDir ?? path.resolve(here, "..");
  const env = deps.env ?? process.env;
  const platform = deps.platform ?? process.platform;
  const log = deps.log ?? ((m: string) => console.log(m));
  const no = (reason: string): LaunchResult => ({ launched: false, reason });

  const server = serverUrlOf(opts.counterUrl);
  if (!server.ok) return no(`adresse du serveur refusée (${opts.counterUrl}) : ${server.message}`);
  const couchOrigins: string[] = [];
  for (const o of opts.couchOrigins) {
    const checked = checkSyncOrigin(o);
    if (!checked.ok) return no(`adresse CouchDB refusée (${o}) : ${checked.message}`);
    couchOrigins.push(checked.origin);
  }

  const electronDir = deps.electronDir !== undefined ? deps.electronDir : locateElectronPackage(projectDir);
  const binary = findElectronBinary(electronDir, env, deps.probe);
  if (!binary.found) return no(`Electron absent : ${binary.reason}`);
  if (displayMissing(platform, env)) return no("aucun écran graphique (DISPLAY et WAYLAND_DISPLAY absents)");

  const appDir = path.join(projectDir, "dist", "electron");
  const exists = deps.probe?.exists ?? existsSync;
  const needed = [
    path.join(appDir, "main.cjs"),
    path.join(appDir, "preload.cjs"),
    path.join(appDir, "package.json"),
    path.join(projectDir, "dist", "renderer", "index.html"),
  ];
  const missing = needed.find((f) => !exists(f));
  if (missing) {
    return no(
      `application de bureau non construite (${path.relative(projectDir, missing)} absent) : npm run electron:build`,
    );
  }

  const childEnv: NodeJS.ProcessEnv = {
    ...env,
    [DESKTOP_ENV.serverUrl]: server.url,
    [DESKTOP_ENV.couchOrigins]: couchOrigins.join(","),
  };
  // Set, it would make the binary a plain Node.js.
  delete childEnv.ELECTRON_RUN_AS_NODE;

  const spawn = deps.spawn ?? nodeSpawn;
  let child: ChildProcess;
  try {
    child = spawn(binary.path, [appDir], { env: childEnv, stdio: ["ignore", "inherit", "inherit"] });
  } catch (e) {
    return no(`Electron n'a pas pu être lancé : ${(e as Error).message}`);
  }
  let stopping = false;
  let spawned = false;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      if (!stopping && spawned) {
        log(
          code === 0
            ? `Application de bureau fermée ; le guichet reste ouvert dans un navigateur : ${opts.counterUrl}`
            : `Application de bureau arrêtée (${signal ?? `code ${code}`}) ; guichet dans un navigateur : ${opts.counterUrl}`,
        );
      }
      resolve();
    });
  });
  const started = await new Promise<true | Error>((resolve) => {
    child.once("spawn", () => {
      spawned = true;
      resolve(true);
    });
    child.once("error", (e) => resolve(e));
  });
  if (started !== true) return no(`Electron n'a pas pu être lancé : ${started.message}`);

  return {
    launched: true,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopping = true;
      child.kill("SIGTERM");
      const timeout = deps.stopTimeoutMs ?? 5000;
      let timer: NodeJS.Timeout | undefined;
      const killed = await Promise.race([
        exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), timeout);
        }),
      ]);
      clearTimeout(timer);
      if (killed) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}
