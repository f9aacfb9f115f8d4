import path from "node:path";
import { fileURLToPath } from "node:url";
import { findElectronBinary, locateElectronPackage } from "../../electron/electron-binary";
import { displayMissing } from "../../electron/launch";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const APP_DIR = path.join(ROOT, "dist", "electron");

export type ElectronStatus = { ready: true; binary: string } | { ready: false; line: string };

/**
 * Whether the smoke test can run here, decided without loading the electron package (its index.js
 * would start downloading the binary): path.txt and dist/ are read directly.
 */
export function electronStatus(env: NodeJS.ProcessEnv = process.env): ElectronStatus {
  const binary = findElectronBinary(locateElectronPackage(ROOT), env);
  if (!binary.found) {
    return {
      ready: false,
      line: `Electron absent sur cette machine : test de fumée Electron ignoré (${binary.reason}).`,
    };
  }
  if (displayMissing(process.platform, env)) {
    return {
      ready: false,
      line: "Aucun écran graphique : test de fumée Electron ignoré (lancez-le sous xvfb-run, paquet Debian xvfb).",
    };
  }
  return { ready: true, binary: binary.path };
}
