import { existsSync, promises as fs } from "node:fs";
import path from "node:path";
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell } from "electron";
import { APP_ENTRY, APP_SCHEME } from "./app-origin";
import { createConfigStore } from "./config-store";
import { buildCsp } from "./csp";
import { applyLaunchSeed, DESKTOP_ENV, readLaunchSeed } from "./desktop-env";
import { IPC } from "./ipc-channels";
import { createIpcHandlers, printFailureMessage, registerIpcHandlers } from "./ipc-handlers";
import { createLogger } from "./log-file";
import { aboutDetail, buildMenuTemplate, PRODUCT_NAME } from "./menu-template";
import { createAppProtocolHandler } from "./protocol-handler";
import { guardWebContents, lockDownSession } from "./session-guard";
import { createWindowStateStore, fitToDisplays, MIN_HEIGHT, MIN_WIDTH } from "./window-state";
import { connectOriginsOf } from "./workstation-config";

// Thin Electron glue: every decision lives in the modules above, which are unit-tested.

protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
  },
]);
app.enableSandbox();
const userDataOverride = process.env[DESKTOP_ENV.userData]?.trim();
if (userDataOverride) app.setPath("userData", path.resolve(userDataOverride));

let mainWindow: BrowserWindow | null = null;
const log = createLogger(path.join(app.getPath("userData"), "journal.log"));

if (!app.requestSingleInstanceLock()) {
  // One window per workstation: the second launch only brings the first one forward.
  app.quit();
} else {
  app.on("second-instance", () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  });
  app.on("web-contents-created", (_event, contents) =>
    guardWebContents(contents, { openExternal: (url) => shell.openExternal(url), log }),
  );
  app.on("window-all-closed", () => app.quit());
  app
    .whenReady()
    .then(start)
    .catch((e: unknown) => {
      log(`[démarrage] ${(e as Error).stack ?? String(e)}`);
      dialog.showErrorBox("Guichet n'a pas pu démarrer", (e as Error).message);
      app.exit(1);
    });
}

async function start(): Promise<void> {
  if (process.platform === "win32") app.setAppUserModelId("fr.guichet.app");
  const userData = app.getPath("userData");
  const config = createConfigStore({ dir: userData, warn: log });
  await config.load();
  const seed = readLaunchSeed(process.env, process.argv);
  for (const w of seed.warnings) log(`[lancement] ${w}`);
  const seeded = applyLaunchSeed(config.current(), seed);
  if (seeded) {
    const saved = await config.save(seeded);
    if (!saved.ok)
      log(`[lancement] configuration non enregistrée : ${saved.errors.map((e) => e.message).join(" ; ")}`);
  }

  const connectOrigins = () => connectOriginsOf(config.current());
  const rendererDir = path.join(__dirname, "..", "renderer");
  if (!existsSync(path.join(rendererDir, "index.html"))) {
    throw new Error(`Interface absente (${rendererDir}) : construisez-la avec « npm run electron:build ».`);
  }
  protocol.handle(
    APP_SCHEME,
    createAppProtocolHandler({
      root: rendererDir,
      csp: () => buildCsp({ connectOrigins: connectOrigins() }),
      log,
    }),
  );
  lockDownSession(session.defaultSession, { connectOrigins, log });

  const win = await createWindow(userData);
  const contents = win.webContents;

  const handlers = createIpcHandlers({
    print: (options) =>
      new Promise((resolve) => {
        contents.print({ ...options, printBackground: true }, (success, reason) =>
          resolve(success ? { ok: true } : { ok: false, error: printFailureMessage(reason) }),
        );
      }),
    listPrinters: async () => (await contents.getPrintersAsync()).map((p) => p.name),
    printToPdf: async () =>
      new Uint8Array(
        await contents.printToPDF({ printBackground: true, pageSize: "A4", preferCSSPageSize: true }),
      ),
    showSaveDialog: async (defaultPath) => {
      const r = await dialog.showSaveDialog(win, {
        title: "Enregistrer l'accusé de réception",
        buttonLabel: "Enregistrer",
        defaultPath,
        filters: [{ name: "Document PDF", extensions: ["pdf"] }],
        properties: ["createDirectory", "showOverwriteConfirmation"],
      });
      return r.canceled ? undefined : r.filePath;
    },
    writeFile: (file, data) => fs.writeFile(file, data),
    documentsDir: app.getPath("documents"),
    config,
    version: app.getVersion(),
    confirmServers: async (origins) => {
      const r = await dialog.showMessageBox(win, {
        type: "question",
        title: "Serveur de synchronisation",
        message: "Autoriser ce poste à se synchroniser avec ces serveurs ?",
        detail: `${origins.join("\n")}\n\nLes demandes des administrés y seront envoyées.`,
        buttons: ["Autoriser", "Annuler"],
        defaultId: 1,
        cancelId: 1,
        noLink: true,
      });
      return r.response === 0;
    },
    onConfigSaved(previous, next) {
      // The CSP is read when the page loads: new servers need a reload to be reachable.
      const before = connectOriginsOf(previous).join(" ");
      if (before !== connectOriginsOf(next).join(" ")) setTimeout(() => contents.reload(), 300);
    },
    log,
  });
  registerIpcHandlers(ipcMain, handlers, log);

  const report = (title: string, r: { ok: boolean; error?: string }) => {
    if (!r.ok && r.error && !/annulé/i.test(r.error)) dialog.showErrorBox(title, r.error);
  };
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({
        platform: process.platform,
        devTools: !app.isPackaged,
        actions: {
          printAck: () => void handlers[IPC.printAck]({ silent: false }).then((r) => report("Impression", r)),
          saveAckPdf: () =>
            void handlers[IPC.saveAckPdf]("accuse-de-reception").then((r) =>
              report("Enregistrement du PDF", r),
            ),
          reload: () => contents.reload(),
          about: () =>
            void dialog.showMessageBox(win, {
              type: "info",
              title: `À propos de ${PRODUCT_NAME}`,
              message: PRODUCT_NAME,
              detail: aboutDetail({
                version: app.getVersion(),
                electron: process.versions.electron,
                chrome: process.versions.chrome,
                node: process.versions.node,
              }),
              buttons: ["Fermer"],
            }),
        },
      }),
    ),
  );

  win.loadURL(APP_ENTRY).catch((e: Error) => log(`[chargement] ${e.message}`));
}

async function createWindow(userData: string): Promise<BrowserWindow> {
  const stateStore = createWindowStateStore({ dir: userData, warn: log });
  const state = fitToDisplays(
    await stateStore.load(),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...state,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: PRODUCT_NAME,
    backgroundColor: "#ffffff",
    webPreferences: {
      preload: path.join(__dirname, "preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      // Linux fetches spell-check dictionaries from a Google server: no remote anything.
      spellcheck: process.platform === "win32" || process.platform === "darwin",
      devTools: !app.isPackaged,
    },
  });
  mainWindow = win;
  const reveal = () => {
    if (win.isDestroyed() || win.isVisible()) return;
    if (state.maximized) win.maximize();
    win.show();
  };
  win.once("ready-to-show", reveal);
  // A page that never paints (load error) must not leave an invisible window behind.
  setTimeout(reveal, 10_000);

  const current = () => ({
    ...(win.isMaximized() ? win.getNormalBounds() : win.getBounds()),
    maximized: win.isMaximized(),
  });
  let timer: NodeJS.Timeout | undefined;
  const saveSoon = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => void stateStore.save(current()).catch((e: Error) => log(`[fenêtre] ${e.message}`)),
      500,
    );
  };
  win.on("resize", saveSoon);
  win.on("move", saveSoon);
  win.on("maximize", saveSoon);
  win.on("unmaximize", saveSoon);
  let saved = false;
  win.on("close", (event) => {
    if (saved) return;
    // Written before the window goes, so the next start finds it.
    event.preventDefault();
    clearTimeout(timer);
    void stateStore
      .save(current())
      .catch((e: Error) => log(`[fenêtre] ${e.message}`))
      .finally(() => {
        saved = true;
        win.close();
      });
  });
  win.on("closed", () => {
    mainWindow = null;
  });
  return win;
}
