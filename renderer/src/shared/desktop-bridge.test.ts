import { afterEach, describe, expect, it, vi } from "vitest";
import type { GuichetApi } from "../../../electron/guichet-api";
import { printAck } from "./desktop-bridge";

const setWindow = (w: object) => vi.stubGlobal("window", w);
afterEach(() => vi.unstubAllGlobals());

describe("printing the accusé de réception", () => {
  it("uses the browser's print dialog when there is no desktop shell", async () => {
    const print = vi.fn();
    setWindow({ print });
    expect(await printAck({ silent: true })).toEqual({ ok: true });
    expect(print).toHaveBeenCalledTimes(1);
  });

  it("says in French why the browser could not print", async () => {
    setWindow({
      print: () => {
        throw new Error("bloqué");
      },
    });
    expect(await printAck()).toEqual({ ok: false, error: "Impression impossible : bloqué" });
  });

  it("goes through window.guichet in the desktop app, never window.print()", async () => {
    const printAckIpc = vi.fn(async () => ({ ok: false, error: "Imprimante HP hors ligne" }) as const);
    const api = { printAck: printAckIpc } as unknown as GuichetApi;
    const print = vi.fn();
    setWindow({ guichet: api, print });
    expect(await printAck({ silent: true, deviceName: "HP" })).toEqual({
      ok: false,
      error: "Imprimante HP hors ligne",
    });
    expect(printAckIpc).toHaveBeenCalledWith({ silent: true, deviceName: "HP" });
    expect(print).not.toHaveBeenCalled();
  });
});
