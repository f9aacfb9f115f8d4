import { afterEach, describe, expect, it, vi } from "vitest";
import type { GuichetApi } from "./guichet-api";
import {
  desktopConfig,
  desktopVersion,
  isDesktop,
  printAck,
  saveAckPdf,
  saveDesktopConfig,
} from "./renderer-bridge";

const setWindow = (w: object) => vi.stubGlobal("window", w);
afterEach(() => vi.unstubAllGlobals());

describe("renderer bridge in a browser (no window.guichet)", () => {
  it("prints with window.print()", async () => {
    const print = vi.fn();
    setWindow({ print });
    expect(isDesktop()).toBe(false);
    expect(await printAck({ silent: true })).toEqual({ ok: true });
    expect(await saveAckPdf("AR")).toEqual({ ok: true, path: null });
    expect(print).toHaveBeenCalledTimes(2);
    expect(await desktopConfig()).toBeNull();
    expect(
      await saveDesktopConfig({ serverUrl: "", workstationName: "", communeId: "", couchOrigins: [] }),
    ).toBeNull();
    expect(await desktopVersion()).toBeNull();
  });

  it("reports a failing window.print()", async () => {
    setWindow({
      print: () => {
        throw new Error("bloqué");
      },
    });
    expect(await saveAckPdf("AR")).toEqual({ ok: false, error: "Impression impossible : bloqué" });
  });
});

describe("renderer bridge in the desktop app", () => {
  it("goes through window.guichet", async () => {
    const config = { serverUrl: "https://a.fr", workstationName: "A", communeId: "demo", couchOrigins: [] };
    const api: GuichetApi = {
      printAck: vi.fn(async () => ({ ok: true }) as const),
      saveAckPdf: vi.fn(async () => ({ ok: true, path: "/tmp/AR.pdf" }) as const),
      getConfig: vi.fn(async () => config),
      setConfig: vi.fn(async () => ({ ok: true }) as const),
      version: vi.fn(async () => "0.1.0"),
    };
    const print = vi.fn();
    setWindow({ guichet: api, print });
    expect(isDesktop()).toBe(true);
    expect(await printAck({ silent: true, deviceName: "HP" })).toEqual({ ok: true });
    expect(api.printAck).toHaveBeenCalledWith({ silent: true, deviceName: "HP" });
    expect(await saveAckPdf("AR")).toEqual({ ok: true, path: "/tmp/AR.pdf" });
    expect(await desktopConfig()).toEqual(config);
    expect(await saveDesktopConfig(config)).toEqual({ ok: true });
    expect(await desktopVersion()).toBe("0.1.0");
    expect(print).not.toHaveBeenCalled();
  });
});
