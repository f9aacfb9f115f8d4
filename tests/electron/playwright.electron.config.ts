import { defineConfig } from "@playwright/test";
import { electronStatus } from "./electron-status";

// Separate from the browser suite (playwright.config.ts): only this config knows about Electron.
const ready = electronStatus().ready;

export default defineConfig({
  testDir: ".",
  testMatch: "**/*.spec.ts",
  globalSetup: "./global-setup.ts",
  outputDir: "../../test-results/electron",
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  // Skipped: the global setup's one line says why, nothing else to report.
  reporter: ready ? [["list"]] : [["./quiet-reporter.ts"]],
});
