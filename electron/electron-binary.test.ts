import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { findElectronBinary, locateElectronPackage } from "./electron-binary";

let dir: string;
let electronDir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "guichet-electron-"));
  electronDir = path.join(dir, "node_modules", "electron");
  mkdirSync(electronDir, { recursive: true });
  writeFileSync(
    path.join(electronDir, "package.json"),
    JSON.stringify({ name: "electron", version: "45.4.1" }),
  );
  // What must never run: requiring the package downloads the binary.
  writeFileSync(path.join(electronDir, "index.js"), "throw new Error('téléchargement déclenché')");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const install = (pathTxt: string, binary = pathTxt) => {
  writeFileSync(path.join(electronDir, "path.txt"), pathTxt);
  mkdirSync(path.dirname(path.join(electronDir, "dist", binary)), { recursive: true });
  writeFileSync(path.join(electronDir, "dist", binary), "");
  writeFileSync(path.join(electronDir, "dist", "version"), "v45.4.1");
};

describe("locateElectronPackage", () => {
  it("finds node_modules/electron without running its index.js", () => {
    expect(locateElectronPackage(dir)).toBe(electronDir);
  });
  it("is null when the package is not installed", () => {
    expect(locateElectronPackage(tmpdir())).toBeNull();
  });
});

describe("findElectronBinary", () => {
  it("finds the binary named by path.txt", () => {
    install("electron");
    expect(findElectronBinary(electronDir, {})).toEqual({
      found: true,
      path: path.join(electronDir, "dist", "electron"),
      version: "v45.4.1",
    });
  });

  it("handles the macOS layout", () => {
    install("Electron.app/Contents/MacOS/Electron");
    expect(findElectronBinary(electronDir, {})).toMatchObject({
      found: true,
      path: path.join(electronDir, "dist", "Electron.app/Contents/MacOS/Electron"),
    });
  });

  it("says the binary was never downloaded (this machine's case)", () => {
    expect(findElectronBinary(electronDir, {})).toEqual({
      found: false,
      reason:
        "binaire jamais téléchargé, node_modules/electron/path.txt absent ; lancez « npx install-electron », accès à Internet requis",
    });
  });

  it("says the binary is missing when dist was removed", () => {
    writeFileSync(path.join(electronDir, "path.txt"), "electron");
    expect(findElectronBinary(electronDir, {})).toMatchObject({
      found: false,
      reason: expect.stringMatching(/binaire absent, node_modules\/electron\/dist\/electron introuvable/),
    });
  });

  it("refuses a path.txt leading elsewhere", () => {
    writeFileSync(path.join(electronDir, "path.txt"), "../../../bin/sh");
    expect(findElectronBinary(electronDir, {})).toMatchObject({
      found: false,
      reason: expect.stringMatching(/invalide/),
    });
    writeFileSync(path.join(electronDir, "path.txt"), "/bin/sh");
    expect(findElectronBinary(electronDir, {})).toMatchObject({ found: false });
  });

  it("honours ELECTRON_OVERRIDE_DIST_PATH as the electron package does", () => {
    const custom = path.join(dir, "custom");
    mkdirSync(custom);
    writeFileSync(path.join(custom, "electron"), "");
    expect(findElectronBinary(electronDir, { ELECTRON_OVERRIDE_DIST_PATH: custom })).toMatchObject({
      found: true,
      path: path.join(custom, "electron"),
    });
    expect(
      findElectronBinary(electronDir, { ELECTRON_OVERRIDE_DIST_PATH: path.join(dir, "nowhere") }),
    ).toMatchObject({
      found: false,
    });
  });

  it("says when the npm package itself is missing", () => {
    expect(findElectronBinary(null, {})).toEqual({
      found: false,
      reason: "paquet npm « electron » non installé, lancez « npm install »",
    });
  });

  it("gives the real answer on this machine without downloading", () => {
    const real = locateElectronPackage(process.cwd());
    const r = findElectronBinary(real);
    expect(typeof r.found).toBe("boolean");
  });
});
