import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

export type ElectronBinary =
  | { found: true; path: string; version: string | null }
  | { found: false; reason: string };

export type BinaryProbe = {
  exists(file: string): boolean;
  /** The file's text, or null when it cannot be read. */
  readText(file: string): string | null;
};

const realProbe: BinaryProbe = {
  exists: existsSync,
  readText(file) {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return null;
    }
  },
};

/**
 * node_modules/electron, found by resolving its package.json: resolving does not run the package's
 * index.js, which would start downloading the binary.
 */
export function locateElectronPackage(fromDir: string): string | null {
  try {
    const require = createRequire(path.join(fromDir, "noop.js"));
    return path.dirname(require.resolve("electron/package.json"));
  } catch {
    return null;
  }
}

const INSTALL_HINT = "lancez « npx install-electron », accès à Internet requis";

/**
 * Where the Electron executable is, read the way the electron package's index.js reads it
 * (path.txt, then dist/<path>, or ELECTRON_OVERRIDE_DIST_PATH), but never downloading anything.
 */
export function findElectronBinary(
  electronDir: string | null,
  env: NodeJS.ProcessEnv = process.env,
  probe: BinaryProbe = realProbe,
): ElectronBinary {
  if (!electronDir)
    return { found: false, reason: "paquet npm « electron » non installé, lancez « npm install »" };
  const pathTxt = probe.readText(path.join(electronDir, "path.txt"))?.trim() ?? null;
  const override = env.ELECTRON_OVERRIDE_DIST_PATH?.trim();
  if (override) {
    const file = path.join(override, pathTxt || "electron");
    return probe.exists(file)
      ? { found: true, path: file, version: probe.readText(path.join(override, "version"))?.trim() ?? null }
      : { found: false, reason: `ELECTRON_OVERRIDE_DIST_PATH ne contient pas ${file}` };
  }
  if (!pathTxt) {
    return {
      found: false,
      reason: `binaire jamais téléchargé, node_modules/electron/path.txt absent ; ${INSTALL_HINT}`,
    };
  }
  if (path.isAbsolute(pathTxt) || pathTxt.split(/[/\\]/).includes("..")) {
    return { found: false, reason: "node_modules/electron/path.txt invalide : réinstallez electron" };
  }
  const file = path.join(electronDir, "dist", pathTxt);
  if (!probe.exists(file)) {
    return {
      found: false,
      reason: `binaire absent, node_modules/electron/dist/${pathTxt} introuvable ; ${INSTALL_HINT}`,
    };
  }
  return {
    found: true,
    path: file,
    version: probe.readText(path.join(electronDir, "dist", "version"))?.trim() ?? null,
  };
}
