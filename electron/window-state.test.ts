import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createWindowStateStore,
  DEFAULT_WINDOW_STATE,
  fitToDisplays,
  WINDOW_STATE_FILE_NAME,
} from "./window-state";

const screen = { x: 0, y: 0, width: 1920, height: 1040 };
const second = { x: 1920, y: 0, width: 1280, height: 1024 };

describe("fitToDisplays", () => {
  it("keeps a window that is on a screen", () => {
    expect(fitToDisplays({ x: 100, y: 50, width: 1200, height: 800, maximized: true }, [screen])).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
      maximized: true,
    });
    expect(fitToDisplays({ x: 2000, y: 10, width: 1000, height: 700 }, [screen, second])).toMatchObject({
      x: 2000,
    });
  });

  it("re-centres a window left on an unplugged screen", () => {
    expect(fitToDisplays({ x: 2000, y: 10, width: 1000, height: 700, maximized: false }, [screen])).toEqual({
      width: 1000,
      height: 700,
      maximized: false,
    });
  });

  it("clamps the size between the minimum and the largest screen", () => {
    expect(fitToDisplays({ width: 100, height: 100, maximized: false }, [screen])).toMatchObject({
      width: 800,
      height: 600,
    });
    expect(fitToDisplays({ width: 9000, height: 9000, maximized: false }, [screen])).toMatchObject({
      width: 1920,
      height: 1040,
    });
  });

  it.each([
    [undefined],
    [null],
    ["x"],
    [{ width: "1200", height: 800 }],
    [{ width: 1.5, height: 800 }],
    [{ x: 1e9, y: 0, width: 900, height: 700 }],
  ])("falls back to the defaults for %j", (stored) => {
    expect(fitToDisplays(stored, [screen])).toEqual(DEFAULT_WINDOW_STATE);
  });
});

describe("window state store", () => {
  let dir: string;
  const warnings: string[] = [];
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "guichet-window-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("saves and loads", async () => {
    const store = createWindowStateStore({ dir, warn: (m) => warnings.push(m) });
    expect(await store.load()).toBeUndefined();
    await store.save({ x: 10, y: 20, width: 1000, height: 700, maximized: false });
    expect(JSON.parse(readFileSync(path.join(dir, WINDOW_STATE_FILE_NAME), "utf8"))).toEqual({
      x: 10,
      y: 20,
      width: 1000,
      height: 700,
      maximized: false,
    });
    expect(fitToDisplays(await store.load(), [screen])).toMatchObject({ x: 10, y: 20 });
  });

  it("reads a corrupt file as absent, with a warning", async () => {
    writeFileSync(path.join(dir, WINDOW_STATE_FILE_NAME), "{");
    const store = createWindowStateStore({ dir, warn: (m) => warnings.push(m) });
    expect(await store.load()).toBeUndefined();
    expect(warnings.at(-1)).toMatch(/illisible/);
  });
});
