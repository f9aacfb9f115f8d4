import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import type { WorkstationConfig } from "./guichet-api";
import { IPC } from "./ipc-channels";
import {
  createIpcHandlers,
  type IpcDeps,
  isTrustedSender,
  printFailureMessage,
  registerIpcHandlers,
  type SenderEvent,
} from "./ipc-handlers";
import { parseWorkstationConfig } from "./workstation-config";

const DOCS = path.resolve("/home/agent/Documents");
const CONFIG: WorkstationConfig = {
  serverUrl: "https://guichet.mairie.fr",
  workstationName: "Accueil 1",
  communeId: "demo",
  couchOrigins: [],
};

function setup(overrides: Partial<IpcDeps> = {}) {
  let current = CONFIG;
  const deps = {
    print: vi.fn(async () => ({ ok: true }) as const),
    listPrinters: vi.fn(async () => ["Accueil-HP", "PDF"]),
    printToPdf: vi.fn(async () => new TextEncoder().encode("%PDF-1.7")),
    showSaveDialog: vi.fn(async (p: string) => p),
    writeFile: vi.fn(async () => undefined),
    documentsDir: DOCS,
    config: {
      current: () => current,
      save: vi.fn(async (input: unknown) => {
        const r = parseWorkstationConfig(input);
        if (r.ok) current = r.config;
        return r;
      }),
    },
    version: "0.1.0",
    onConfigSaved: vi.fn(),
    ...overrides,
  } satisfies IpcDeps;
  return { deps, h: createIpcHandlers(deps) };
}

describe("printAck", () => {
  it("prints with or without the dialog", async () => {
    const { deps, h } = setup();
    expect(await h[IPC.printAck]({ silent: true })).toEqual({ ok: true });
    expect(deps.print).toHaveBeenLastCalledWith({ silent: true });
    expect(await h[IPC.printAck]({})).toEqual({ ok: true });
    expect(deps.print).toHaveBeenLastCalledWith({ silent: false });
    expect(await h[IPC.printAck](undefined)).toEqual({ ok: true });
    expect(await h[IPC.printAck]({ silent: true, deviceName: "Accueil-HP" })).toEqual({ ok: true });
    expect(deps.print).toHaveBeenLastCalledWith({ silent: true, deviceName: "Accueil-HP" });
  });

  it("refuses an unknown printer", async () => {
    const { deps, h } = setup();
    expect(await h[IPC.printAck]({ deviceName: "\\\\serveur\\evil" })).toEqual({
      ok: false,
      error: "Imprimante « \\\\serveur\\evil » introuvable.",
    });
    expect(deps.print).not.toHaveBeenCalled();
  });

  it.each([
    [{ silent: "yes" }, /vrai ou faux/],
    [{ deviceName: 42 }, /texte attendu/],
    [{ deviceName: "x".repeat(300) }, /256 caractères/],
    [{ deviceName: "HP\u0000" }, /contrôle/],
    [{ deviceName: "" }, /vide/],
    [{ silent: true, landscape: true, pageRanges: [] }, /option inconnue : landscape, pageRanges/],
    ["silent", /options attendues/],
    [[true], /options attendues/],
    [null, /options attendues/],
  ])("refuses %j", async (input, message) => {
    const { deps, h } = setup();
    const r = await h[IPC.printAck](input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
    expect(deps.print).not.toHaveBeenCalled();
  });

  it("reports a print failure and one job at a time", async () => {
    let finish: (v: { ok: true }) => void = () => undefined;
    const { h } = setup({ print: () => new Promise((resolve) => (finish = resolve)) });
    const first = h[IPC.printAck]({});
    expect(await h[IPC.printAck]({})).toEqual({ ok: false, error: "Une impression est déjà en cours." });
    finish({ ok: true });
    expect(await first).toEqual({ ok: true });
    const failing = setup({ print: async () => Promise.reject(new Error("Print job failed")) });
    expect(await failing.h[IPC.printAck]({})).toEqual({
      ok: false,
      error: "Impression impossible (Print job failed).",
    });
  });
});

describe("printFailureMessage", () => {
  it("speaks French", () => {
    expect(printFailureMessage("cancelled")).toBe("Impression annulée.");
    expect(printFailureMessage("Invalid deviceName provided")).toMatch(/^Imprimante indisponible/);
    expect(printFailureMessage("")).toBe("Impression impossible (raison inconnue).");
  });
});

describe("saveAckPdf", () => {
  it("suggests a clean name in Documents and writes the PDF where the agent chose", async () => {
    const { deps, h } = setup();
    const r = await h[IPC.saveAckPdf]("AR 2025-0001");
    expect(r).toEqual({ ok: true, path: path.join(DOCS, "AR 2025-0001.pdf") });
    expect(deps.showSaveDialog).toHaveBeenCalledWith(path.join(DOCS, "AR 2025-0001.pdf"));
    expect(deps.writeFile).toHaveBeenCalledWith(path.join(DOCS, "AR 2025-0001.pdf"), expect.any(Uint8Array));
  });

  it("never lets the renderer pick a path", async () => {
    const showSaveDialog = vi.fn(async (p: string) => p);
    const { h } = setup({ showSaveDialog });
    for (const name of [
      "../../../../etc/cron.d/evil",
      "/root/.ssh/authorized_keys",
      "C:\\Windows\\System32\\x.dll",
    ]) {
      const r = await h[IPC.saveAckPdf](name);
      expect(r.ok).toBe(true);
      const suggested = showSaveDialog.mock.lastCall?.[0] ?? "";
      expect(path.dirname(suggested)).toBe(DOCS);
      expect(suggested.endsWith(".pdf")).toBe(true);
    }
  });

  it("adds .pdf to the chosen path", async () => {
    const { h } = setup({ showSaveDialog: async () => "/home/agent/AR" });
    expect(await h[IPC.saveAckPdf]("AR")).toEqual({ ok: true, path: "/home/agent/AR.pdf" });
  });

  it("says when the agent cancels, and writes nothing", async () => {
    const { deps, h } = setup({ showSaveDialog: async () => undefined });
    expect(await h[IPC.saveAckPdf]("AR")).toEqual({ ok: false, error: "Enregistrement annulé." });
    expect(deps.writeFile).not.toHaveBeenCalled();
  });

  it.each([[42], [null], [{ name: "AR" }], [["AR"]], ["x".repeat(256)]])("refuses %j", async (input) => {
    const { deps, h } = setup();
    const r = await h[IPC.saveAckPdf](input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/^Nom de fichier invalide/);
    expect(deps.showSaveDialog).not.toHaveBeenCalled();
  });

  it("reports a write failure", async () => {
    const { h } = setup({ writeFile: async () => Promise.reject(new Error("EACCES")) });
    expect(await h[IPC.saveAckPdf]("AR")).toEqual({
      ok: false,
      error: "Impossible d'enregistrer le PDF : EACCES",
    });
  });
});

describe("getConfig / setConfig / version", () => {
  it("reads and writes the configuration", async () => {
    const { deps, h } = setup();
    expect(await h[IPC.getConfig]()).toEqual(CONFIG);
    const next = { ...CONFIG, serverUrl: "https://autre.mairie.fr" };
    expect(await h[IPC.setConfig](next)).toEqual({ ok: true });
    expect(deps.onConfigSaved).toHaveBeenCalledWith(CONFIG, next);
    expect(await h[IPC.getConfig]()).toEqual(next);
    expect(await h[IPC.version]()).toBe("0.1.0");
  });

  it.each([
    [{ ...CONFIG, serverUrl: "http://evil.fr" }, "serverUrl"],
    [{ ...CONFIG, serverUrl: "file:///etc/passwd" }, "serverUrl"],
    [{ ...CONFIG, workstationName: "x".repeat(1_000_000) }, "workstationName"],
    [{ ...CONFIG, preload: "/tmp/x.js" }, "configuration"],
    ["https://guichet.mairie.fr", "configuration"],
  ])("refuses %#", async (input, field) => {
    const { deps, h } = setup();
    const r = await h[IPC.setConfig](input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.field)).toContain(field);
    expect(deps.onConfigSaved).not.toHaveBeenCalled();
    expect(await h[IPC.getConfig]()).toEqual(CONFIG);
  });

  it("asks the agent before talking to new servers", async () => {
    const confirmServers = vi.fn(async () => false);
    const { deps, h } = setup({ confirmServers });
    expect(await h[IPC.setConfig]({ ...CONFIG, workstationName: "Accueil 2" })).toEqual({ ok: true });
    expect(confirmServers).not.toHaveBeenCalled();
    const next = { ...CONFIG, couchOrigins: ["https://exfiltration.example"] };
    expect(await h[IPC.setConfig](next)).toEqual({
      ok: false,
      errors: [{ field: "serverUrl", message: "Changement de serveur annulé." }],
    });
    expect(confirmServers).toHaveBeenCalledWith([
      "https://guichet.mairie.fr",
      "https://exfiltration.example",
    ]);
    expect(deps.config.save).toHaveBeenCalledTimes(1);
    confirmServers.mockResolvedValueOnce(true);
    expect(await h[IPC.setConfig](next)).toEqual({ ok: true });
  });

  it("reports a disk failure as a field error", async () => {
    const { h } = setup({
      config: { current: () => CONFIG, save: async () => Promise.reject(new Error("ENOSPC")) },
    });
    expect(await h[IPC.setConfig](CONFIG)).toEqual({
      ok: false,
      errors: [{ field: "configuration", message: "Enregistrement impossible : ENOSPC" }],
    });
  });
});

describe("sender check", () => {
  const frame = (url: string, parent: unknown = null): SenderEvent => ({ senderFrame: { url, parent } });

  it("trusts only the app's top-level page", () => {
    expect(isTrustedSender(frame("app://guichet/index.html#/demandes"))).toBe(true);
    expect(isTrustedSender(frame("app://guichet/index.html", {}))).toBe(false);
    expect(isTrustedSender(frame("https://evil.fr/"))).toBe(false);
    expect(isTrustedSender(frame("app://evil/index.html"))).toBe(false);
    expect(isTrustedSender(frame("file:///tmp/x.html"))).toBe(false);
    expect(isTrustedSender({ senderFrame: null })).toBe(false);
  });

  it("registers every channel behind the check", async () => {
    const { h } = setup();
    const registered = new Map<string, (event: SenderEvent, ...args: unknown[]) => unknown>();
    const logs: string[] = [];
    registerIpcHandlers({ handle: (c, l) => registered.set(c, l) }, h, (m) => logs.push(m));
    expect([...registered.keys()].sort()).toEqual(Object.values(IPC).sort());
    const version = registered.get(IPC.version)!;
    expect(await version(frame("app://guichet/index.html"))).toBe("0.1.0");
    expect(() => version(frame("https://evil.fr/"))).toThrow(/Appel refusé/);
    expect(logs[0]).toMatch(/guichet:version refusé depuis https:\/\/evil.fr/);
    const save = registered.get(IPC.saveAckPdf)!;
    expect(await save(frame("app://guichet/"), "AR", "extra argument ignored")).toMatchObject({ ok: true });
  });
});
