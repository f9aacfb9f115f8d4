import type { ChildProcess, spawn } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DESKTOP_ENV } from "./desktop-env";
import { DESKTOP_ORIGIN, displayMissing, type LaunchDeps, launchDesktop, serverUrlOf } from "./launch";

let project: string;
let electronDir: string;
const touch = (file: string, text = "") => {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
};
const installBinary = () => {
  touch(path.join(electronDir, "path.txt"), "electron");
  touch(path.join(electronDir, "dist", "electron"));
};
const buildApp = () => {
  for (const f of ["main.cjs", "preload.cjs", "package.json"])
    touch(path.join(project, "dist", "electron", f));
  touch(path.join(project, "dist", "renderer", "index.html"));
};

class FakeChild extends EventEmitter {
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  signals: string[] = [];
  constructor(private readonly obeys: boolean) {
    super();
  }
  kill(signal: NodeJS.Signals) {
    this.signals.push(signal);
    if (this.obeys || signal === "SIGKILL") {
      setImmediate(() => {
        this.signalCode = signal;
        this.emit("exit", null, signal);
      });
    }
    return true;
  }
}

function fakeSpawn(opts: { fail?: Error; obeys?: boolean } = {}) {
  const child = new FakeChild(opts.obeys ?? true);
  const fn = vi.fn((..._args: unknown[]) => {
    setImmediate(() => (opts.fail ? child.emit("error", opts.fail) : child.emit("spawn")));
    return child as unknown as ChildProcess;
  });
  return { child, spawn: fn as unknown as typeof spawn, calls: fn.mock.calls };
}

const opts = { counterUrl: "http://127.0.0.1:3000/guichet/", couchOrigins: ["http://127.0.0.1:5984"] };
const deps = (extra: Partial<LaunchDeps> = {}): Partial<LaunchDeps> => ({
  projectDir: project,
  electronDir,
  env: { DISPLAY: ":0", ELECTRON_RUN_AS_NODE: "1", PATH: "/usr/bin" },
  platform: "linux",
  log: () => undefined,
  ...extra,
});

beforeEach(() => {
  project = mkdtempSync(path.join(tmpdir(), "guichet-launch-"));
  electronDir = path.join(project, "node_modules", "electron");
  touch(path.join(electronDir, "package.json"), "{}");
});
afterEach(() => rmSync(project, { recursive: true, force: true }));

describe("launchDesktop: when it cannot", () => {
  it("says Electron is absent, without spawning or downloading (this machine)", async () => {
    buildApp();
    const { spawn, calls } = fakeSpawn();
    const r = await launchDesktop(opts, deps({ spawn }));
    expect(r).toEqual({
      launched: false,
      reason:
        "Electron absent : binaire jamais téléchargé, node_modules/electron/path.txt absent ; lancez « npx install-electron », accès à Internet requis",
    });
    expect(calls).toHaveLength(0);
  });

  it("says when the electron package is not installed at all", async () => {
    const r = await launchDesktop(opts, deps({ electronDir: null }));
    expect(r).toMatchObject({ launched: false, reason: expect.stringMatching(/non installé/) });
  });

  it("needs a display on Linux", async () => {
    installBinary();
    buildApp();
    const r = await launchDesktop(opts, deps({ env: {} }));
    expect(r).toMatchObject({ launched: false, reason: expect.stringMatching(/aucun écran graphique/) });
  });

  it("needs the built app", async () => {
    installBinary();
    const r = await launchDesktop(opts, deps());
    expect(r).toMatchObject({
      launched: false,
      reason: expect.stringMatching(/non construite.*npm run electron:build/),
    });
  });

  it("refuses a server the app would refuse", async () => {
    installBinary();
    buildApp();
    expect(
      await launchDesktop({ ...opts, counterUrl: "http://mairie.lan:3000/guichet/" }, deps()),
    ).toMatchObject({
      launched: false,
      reason: expect.stringMatching(/^adresse du serveur refusée/),
    });
    expect(await launchDesktop({ ...opts, couchOrigins: ["http://couch.lan:5984"] }, deps())).toMatchObject({
      launched: false,
      reason: expect.stringMatching(/^adresse CouchDB refusée/),
    });
  });

  it("reports a spawn failure", async () => {
    installBinary();
    buildApp();
    const { spawn } = fakeSpawn({ fail: new Error("spawn EACCES") });
    expect(await launchDesktop(opts, deps({ spawn }))).toEqual({
      launched: false,
      reason: "Electron n'a pas pu être lancé : spawn EACCES",
    });
  });
});

describe("launchDesktop: when it can", () => {
  it("starts the app pointed at the server and stops it", async () => {
    installBinary();
    buildApp();
    const { spawn, calls, child } = fakeSpawn();
    const r = await launchDesktop(opts, deps({ spawn }));
    expect(r.launched).toBe(true);
    const [binary, args, options] = calls[0] as [string, string[], { env: NodeJS.ProcessEnv }];
    expect(binary).toBe(path.join(electronDir, "dist", "electron"));
    expect(args).toEqual([path.join(project, "dist", "electron")]);
    expect(options.env[DESKTOP_ENV.serverUrl]).toBe("http://127.0.0.1:3000");
    expect(options.env[DESKTOP_ENV.couchOrigins]).toBe("http://127.0.0.1:5984");
    expect(options.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
    expect(options.env.PATH).toBe("/usr/bin");
    if (r.launched) await r.stop();
    expect(child.signals).toEqual(["SIGTERM"]);
  });

  it("kills an app that does not stop", async () => {
    installBinary();
    buildApp();
    const { spawn, child } = fakeSpawn({ obeys: false });
    const r = await launchDesktop(opts, deps({ spawn, stopTimeoutMs: 10 }));
    if (r.launched) await r.stop();
    expect(child.signals).toEqual(["SIGTERM", "SIGKILL"]);
  });

  it("tells when the agent closes the app", async () => {
    installBinary();
    buildApp();
    const logs: string[] = [];
    const { spawn, child } = fakeSpawn();
    await launchDesktop(opts, deps({ spawn, log: (m) => logs.push(m) }));
    child.emit("exit", 0, null);
    expect(logs).toEqual([
      "Application de bureau fermée ; le guichet reste ouvert dans un navigateur : http://127.0.0.1:3000/guichet/",
    ]);
  });
});

describe("helpers", () => {
  it("derives the server address from the counter app's", () => {
    expect(serverUrlOf("http://127.0.0.1:3000/guichet/")).toMatchObject({
      ok: true,
      url: "http://127.0.0.1:3000",
    });
    expect(serverUrlOf("https://mairie.fr/sync/guichet/index.html")).toMatchObject({
      ok: true,
      url: "https://mairie.fr/sync",
    });
    expect(serverUrlOf("pas une adresse").ok).toBe(false);
  });

  it("knows which platforms need DISPLAY", () => {
    expect(displayMissing("linux", {})).toBe(true);
    expect(displayMissing("linux", { WAYLAND_DISPLAY: "wayland-0" })).toBe(false);
    expect(displayMissing("win32", {})).toBe(false);
  });

  it("exports the origin to allow in GUICHET_CORS_ORIGINS", () => {
    expect(DESKTOP_ORIGIN).toBe("app://guichet");
  });
});
