import { EventEmitter } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DESKTOP_ENV } from "./desktop-env";
import { IPC } from "./ipc-channels";

/**
 * main.ts bundled as for Electron, then run against a stand-in `electron` module: the glue wires
 * the tested modules as intended (the real binary cannot be downloaded on every machine).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
type Listener = (...args: unknown[]) => unknown;

let work: string;
let fake: ReturnType<typeof fakeElectron>;

function fakeElectron(dirs: { userData: string; documents: string }) {
  const paths: Record<string, string> = {
    userData: dirs.userData,
    documents: dirs.documents,
    appData: dirs.userData,
  };
  const ipc = new Map<string, Listener>();
  const windows: FakeWindow[] = [];
  const calls = {
    privileged: [] as unknown[],
    protocol: undefined as undefined | ((r: Request) => Promise<Response>),
    menu: [] as { label?: string }[],
    permissionRequest: undefined as undefined | Listener,
    beforeRequest: undefined as undefined | Listener,
    saveDialogPath: "",
  };
  class FakeContents extends EventEmitter {
    reload = vi.fn();
    setWindowOpenHandler = vi.fn();
    print = vi.fn((_o: unknown, cb: (ok: boolean, reason: string) => void) => cb(true, ""));
    printToPDF = vi.fn(async () => Buffer.from("%PDF-1.7 factice"));
    getPrintersAsync = vi.fn(async () => [{ name: "Accueil-HP" }]);
  }
  class FakeWindow extends EventEmitter {
    webContents = new FakeContents();
    loadURL = vi.fn(async () => undefined);
    show = vi.fn();
    maximize = vi.fn();
    constructor(readonly options: Record<string, unknown>) {
      super();
      windows.push(this);
      app.emit("web-contents-created", {}, this.webContents);
    }
    isMaximized = () => false;
    isMinimized = () => false;
    isVisible = () => false;
    isDestroyed = () => false;
    getBounds = () => ({ x: 40, y: 30, width: 1100, height: 760 });
    getNormalBounds = () => this.getBounds();
    close() {
      let prevented = false;
      this.emit("close", { preventDefault: () => (prevented = true) });
      if (!prevented) this.emit("closed");
    }
  }
  const app = Object.assign(new EventEmitter(), {
    getPath: (name: string) => paths[name] ?? dirs.userData,
    setPath: (name: string, p: string) => {
      paths[name] = p;
    },
    enableSandbox: vi.fn(),
    requestSingleInstanceLock: () => true,
    whenReady: () => Promise.resolve(),
    getVersion: () => "0.1.0",
    isPackaged: false,
    quit: vi.fn(),
    exit: vi.fn(),
    setAppUserModelId: vi.fn(),
  });
  const module = {
    app,
    BrowserWindow: FakeWindow,
    dialog: {
      showSaveDialog: vi.fn(async (_win: unknown, _options: unknown) => ({
        canceled: false,
        filePath: calls.saveDialogPath,
      })),
      showErrorBox: vi.fn(),
      showMessageBox: vi.fn(async () => ({ response: 0 })),
    },
    ipcMain: { handle: (channel: string, l: Listener) => ipc.set(channel, l) },
    Menu: {
      buildFromTemplate: (t: { label?: string }[]) => {
        calls.menu = t;
        return t;
      },
      setApplicationMenu: vi.fn(),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => calls.privileged.push(...s),
      handle: (_scheme: string, h: (r: Request) => Promise<Response>) => {
        calls.protocol = h;
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }] },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: Listener) => {
          calls.permissionRequest = h;
        },
        setPermissionCheckHandler: vi.fn(),
        setDevicePermissionHandler: vi.fn(),
        webRequest: {
          onBeforeRequest: (h: Listener) => {
            calls.beforeRequest = h;
          },
        },
      },
    },
    shell: { openExternal: vi.fn(async () => undefined) },
  };
  return { module, ipc, windows, calls };
}

const trusted = { senderFrame: { url: "app://guichet/index.html", parent: null } };
const invoke = (channel: string, arg?: unknown) => fake.ipc.get(channel)?.(trusted, arg);
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!check()) throw new Error("délai dépassé");
};

beforeAll(async () => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
  work = mkdtempSync(path.join(tmpdir(), "guichet-main-"));
  const appDir = path.join(work, "dist", "electron");
  mkdirSync(path.join(work, "dist", "renderer"), { recursive: true });
  mkdirSync(appDir, { recursive: true });
  writeFileSync(path.join(work, "dist", "renderer", "index.html"), "<!doctype html><title>Guichet</title>");
  mkdirSync(path.join(work, "Documents"));
  fake = fakeElectron({ userData: path.join(work, "ignored"), documents: path.join(work, "Documents") });

  const bundle = await build({
    entryPoints: [path.join(here, "main.ts")],
    bundle: true,
    write: false,
    platform: "node",
    format: "cjs",
    external: ["electron"],
    logLevel: "silent",
  });
  const code = bundle.outputFiles[0]?.text ?? "";
  const realRequire = createRequire(import.meta.url);
  const requireShim = (id: string) => (id === "electron" ? fake.module : realRequire(id));
  vi.stubEnv(DESKTOP_ENV.userData, path.join(work, "userData"));
  vi.stubEnv(DESKTOP_ENV.serverUrl, "http://127.0.0.1:3000");
  vi.stubEnv(DESKTOP_ENV.couchOrigins, "http://127.0.0.1:5984");
  const mod = { exports: {} };
  new Function("require", "module", "exports", "__dirname", "__filename", code)(
    requireShim,
    mod,
    mod.exports,
    appDir,
    path.join(appDir, "main.cjs"),
  );
  await until(() => fake.ipc.size === 5 && fake.windows[0]?.loadURL.mock.calls.length === 1);
});

afterAll(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  rmSync(work, { recursive: true, force: true });
});

describe("main.ts glue", () => {
  it("registers the privileged scheme, the sandbox and a locked-down window", () => {
    expect(fake.calls.privileged).toEqual([
      {
        scheme: "app",
        privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
      },
    ]);
    expect(fake.module.app.enableSandbox).toHaveBeenCalled();
    const win = fake.windows[0]!;
    expect(win.options.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      preload: path.join(work, "dist", "electron", "preload.cjs"),
    });
    expect(win.loadURL).toHaveBeenCalledWith("app://guichet/index.html");
    expect(win.webContents.setWindowOpenHandler).toHaveBeenCalled();
  });

  it("stores the launcher's server on first run, in the overridden user data folder", () => {
    const stored = JSON.parse(readFileSync(path.join(work, "userData", "poste.json"), "utf8"));
    expect(stored).toMatchObject({
      serverUrl: "http://127.0.0.1:3000",
      couchOrigins: ["http://127.0.0.1:5984"],
    });
  });

  it("serves the renderer with a CSP naming the configured servers", async () => {
    const res = await fake.calls.protocol!(new Request("app://guichet/"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain(
      "connect-src 'self' http://127.0.0.1:3000 http://127.0.0.1:5984",
    );
    expect(
      (await fake.calls.protocol!(new Request("app://guichet/..%2f..%2fuserData%2fposte.json"))).status,
    ).toBe(403);
  });

  it("answers IPC from the app only, with validated inputs", async () => {
    expect(await invoke(IPC.version)).toBe("0.1.0");
    expect(() =>
      fake.ipc.get(IPC.version)?.({ senderFrame: { url: "https://evil.fr/", parent: null } }),
    ).toThrow();
    expect(await invoke(IPC.printAck, { silent: true })).toEqual({ ok: true });
    expect(await invoke(IPC.printAck, { deviceName: "Absente" })).toMatchObject({ ok: false });
    fake.calls.saveDialogPath = path.join(work, "Documents", "AR");
    expect(await invoke(IPC.saveAckPdf, "../AR")).toEqual({
      ok: true,
      path: path.join(work, "Documents", "AR.pdf"),
    });
    expect(readFileSync(path.join(work, "Documents", "AR.pdf"), "latin1").startsWith("%PDF")).toBe(true);
    expect(fake.module.dialog.showSaveDialog.mock.calls[0]?.[1]).toMatchObject({
      defaultPath: path.join(work, "Documents", "AR.pdf"),
    });
  });

  it("reloads the page when the allowed servers change", async () => {
    const config = (await invoke(IPC.getConfig)) as Record<string, unknown>;
    expect(await invoke(IPC.setConfig, { ...config, serverUrl: "http://evil.fr" })).toMatchObject({
      ok: false,
    });
    expect(await invoke(IPC.setConfig, { ...config, workstationName: "Accueil 2" })).toEqual({ ok: true });
    await new Promise((r) => setTimeout(r, 400));
    expect(fake.windows[0]!.webContents.reload).not.toHaveBeenCalled();
    expect(await invoke(IPC.setConfig, { ...config, serverUrl: "https://guichet.mairie.fr" })).toEqual({
      ok: true,
    });
    await until(() => fake.windows[0]!.webContents.reload.mock.calls.length === 1);
  });

  it("denies permissions and blocks other hosts", () => {
    const callback = vi.fn();
    fake.calls.permissionRequest?.({}, "notifications", callback);
    expect(callback).toHaveBeenCalledWith(false);
    const decide = vi.fn();
    fake.calls.beforeRequest?.({ url: "https://tracker.example/" }, decide);
    expect(decide).toHaveBeenCalledWith({ cancel: true });
  });

  it("sets the French menu", () => {
    expect(fake.calls.menu.map((m) => m.label)).toEqual(["Fichier", "Édition", "Affichage", "Aide"]);
  });

  it("saves the window's place when it closes", async () => {
    fake.windows[0]!.close();
    await until(() => existsSync(path.join(work, "userData", "fenetre.json")));
    expect(JSON.parse(readFileSync(path.join(work, "userData", "fenetre.json"), "utf8"))).toEqual({
      x: 40,
      y: 30,
      width: 1100,
      height: 760,
      maximized: false,
    });
  });
});
