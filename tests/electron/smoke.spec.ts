import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { _electron, type ElectronApplication, expect, type Page, test } from "@playwright/test";
import { DESKTOP_ENV } from "../../electron/desktop-env";
import type { DesktopServer } from "./desktop-server";
import { APP_DIR, electronStatus, ROOT } from "./electron-status";

const status = electronStatus();
// The global setup printed why; no download is ever attempted from here.
test.skip(!status.ready, status.ready ? "" : status.line);
test.describe.configure({ mode: "serial" });

let server: DesktopServer;
let app: ElectronApplication;
let page: Page;
let work: string;
let env: Record<string, string>;

test.beforeAll(async () => {
  if (!status.ready) return;
  // Loaded here so that a skipped run does not start PouchDB.
  const { startDesktopServer } = await import("./desktop-server");
  server = await startDesktopServer(path.join(ROOT, "dist", "renderer"));
  work = mkdtempSync(path.join(tmpdir(), "guichet-electron-"));
  env = {
    ...(process.env as Record<string, string>),
    [DESKTOP_ENV.userData]: path.join(work, "userData"),
    [DESKTOP_ENV.serverUrl]: server.url,
    [DESKTOP_ENV.couchOrigins]: new URL(server.couchUrl).origin,
  };
  delete env.ELECTRON_RUN_AS_NODE;
  app = await _electron.launch({ executablePath: status.binary, args: [APP_DIR], env, cwd: ROOT });
  page = await app.firstWindow();
  await page.waitForLoadState("domcontentloaded");
});

test.afterAll(async () => {
  await app?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("loads the built renderer from app://guichet, sandboxed, with the preload API", async () => {
  expect(page.url()).toBe("app://guichet/index.html");
  await expect(page.locator("#root > *").first()).toBeVisible();
  const globals = await page.evaluate(() => ({
    require: typeof (globalThis as { require?: unknown }).require,
    process: typeof (globalThis as { process?: unknown }).process,
    api: Object.keys(window.guichet ?? {}).sort(),
  }));
  expect(globals).toEqual({
    require: "undefined",
    process: "undefined",
    api: ["getConfig", "printAck", "saveAckPdf", "setConfig", "version"],
  });
  expect(await page.evaluate(() => window.guichet?.version())).toMatch(/^\d+\.\d+\.\d+/);
});

test("serves a strict CSP that lets the app reach its servers only", async () => {
  const csp = await page.evaluate(async () =>
    (await fetch("app://guichet/index.html")).headers.get("content-security-policy"),
  );
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain(`connect-src 'self' ${server.url} ${new URL(server.couchUrl).origin}`);
  expect(csp).not.toContain("unsafe-eval");
  // CouchDB answers the app's origin (CORS), another host is blocked (CSP and the session filter).
  expect(await page.evaluate((url) => fetch(url).then((r) => r.status), `${server.couchUrl}/`)).toBe(200);
  expect(
    await page.evaluate(() =>
      fetch("https://example.com/").then(
        () => "joint",
        () => "bloqué",
      ),
    ),
  ).toBe("bloqué");
});

test("keeps the workstation configuration seeded by the launcher and refuses a plain-http server", async () => {
  const config = await page.evaluate(() => window.guichet?.getConfig());
  expect(config).toMatchObject({ serverUrl: server.url, couchOrigins: [new URL(server.couchUrl).origin] });
  const refused = await page.evaluate(
    (c) => window.guichet?.setConfig({ ...c, serverUrl: "http://mairie.example" }),
    config!,
  );
  expect(refused).toMatchObject({ ok: false, errors: [{ field: "serverUrl" }] });
});

test("saveAckPdf writes a PDF where the (stubbed) dialog says, and printAck answers", async () => {
  const target = path.join(work, "accuse.pdf");
  // The native save dialog cannot be clicked: it answers the target instead.
  await app.evaluate(({ dialog }, filePath) => {
    dialog.showSaveDialog = (async () => ({
      canceled: false,
      filePath,
    })) as unknown as typeof dialog.showSaveDialog;
  }, target);
  const saved = await page.evaluate(() => window.guichet?.saveAckPdf("../../AR 2025-0001"));
  expect(saved).toEqual({ ok: true, path: target });
  expect(readFileSync(target).subarray(0, 4).toString("latin1")).toBe("%PDF");

  const printed = await page.evaluate(() =>
    window.guichet?.printAck({ silent: true, deviceName: "Imprimante inexistante" }),
  );
  expect(printed).toEqual({ ok: false, error: "Imprimante « Imprimante inexistante » introuvable." });
  const hostile = await page.evaluate(() =>
    window.guichet?.printAck({ silent: "oui" } as unknown as { silent: boolean }),
  );
  expect(hostile).toMatchObject({ ok: false });
});

test("a second launch gives way to the first", async () => {
  const second = spawn(
    status.ready ? status.binary : "",
    [...(process.platform === "linux" ? ["--no-sandbox"] : []), APP_DIR],
    {
      env,
      stdio: "ignore",
    },
  );
  const code = await new Promise<number | null>((resolve) => second.once("exit", resolve));
  expect(code).toBe(0);
  expect(app.windows()).toHaveLength(1);
});
