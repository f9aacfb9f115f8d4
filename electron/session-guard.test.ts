import { EventEmitter } from "node:events";
import type { Session, WebContents } from "electron";
import { describe, expect, it, vi } from "vitest";
import { guardWebContents, lockDownSession } from "./session-guard";

function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  const contents = Object.assign(emitter, {
    setWindowOpenHandler: (h: typeof openHandler) => {
      openHandler = h;
    },
  });
  return {
    contents: contents as unknown as WebContents,
    emitter,
    open: (url: string) => openHandler?.({ url }),
  };
}

const event = (url: string, extra: object = {}) => ({ url, preventDefault: vi.fn(), ...extra });

describe("guardWebContents", () => {
  it("denies every navigation and opens only listed documentation outside", async () => {
    const openExternal = vi.fn();
    const logs: string[] = [];
    const { contents, emitter, open } = fakeContents();
    guardWebContents(contents, { openExternal, log: (m) => logs.push(m) });

    const toEvil = event("https://evil.fr/");
    emitter.emit("will-navigate", toEvil);
    expect(toEvil.preventDefault).toHaveBeenCalled();
    const toDoc = event("https://www.service-public.fr/particuliers/vosdroits/F1234");
    emitter.emit("will-navigate", toDoc);
    expect(toDoc.preventDefault).toHaveBeenCalled();
    const toApp = event("app://guichet/index.html");
    emitter.emit("will-navigate", toApp);
    expect(toApp.preventDefault).toHaveBeenCalled();

    expect(open("https://www.legifrance.gouv.fr/")).toEqual({ action: "deny" });
    expect(open("file:///C:/Windows/System32/calc.exe")).toEqual({ action: "deny" });
    expect(open("http://www.service-public.fr/")).toEqual({ action: "deny" });
    await Promise.resolve();
    expect(openExternal.mock.calls).toEqual([
      ["https://www.service-public.fr/particuliers/vosdroits/F1234"],
      ["https://www.legifrance.gouv.fr/"],
    ]);
    expect(logs.filter((l) => l.includes("refusée"))).toHaveLength(4);
  });

  it("refuses sub-frame navigation and <webview>", () => {
    const { contents, emitter } = fakeContents();
    guardWebContents(contents, { openExternal: vi.fn(), log: () => undefined });
    const frame = event("https://evil.fr/", { isMainFrame: false });
    emitter.emit("will-frame-navigate", frame);
    expect(frame.preventDefault).toHaveBeenCalled();
    const webview = event("");
    emitter.emit("will-attach-webview", webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });
});

describe("lockDownSession", () => {
  it("denies permissions and requests outside the configured servers", () => {
    const handlers: Record<string, (...args: never[]) => unknown> = {};
    const session = {
      setPermissionRequestHandler: (h: never) => (handlers.request = h),
      setPermissionCheckHandler: (h: never) => (handlers.check = h),
      setDevicePermissionHandler: (h: never) => (handlers.device = h),
      webRequest: { onBeforeRequest: (h: never) => (handlers.before = h) },
    } as unknown as Session;
    lockDownSession(session, { connectOrigins: () => ["http://127.0.0.1:5984"], log: () => undefined });

    const granted = vi.fn();
    (handlers.request as (c: unknown, p: string, cb: (ok: boolean) => void) => void)({}, "media", granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect((handlers.check as () => boolean)()).toBe(false);
    expect((handlers.device as () => boolean)()).toBe(false);

    const decide = (url: string) => {
      const cb = vi.fn();
      (handlers.before as (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void)({ url }, cb);
      return cb.mock.calls[0]?.[0];
    };
    expect(decide("app://guichet/index.html")).toEqual({ cancel: false });
    expect(decide("http://127.0.0.1:5984/_session")).toEqual({ cancel: false });
    expect(decide("https://fonts.googleapis.com/css")).toEqual({ cancel: true });
    expect(decide("file:///etc/passwd")).toEqual({ cancel: true });
  });
});
