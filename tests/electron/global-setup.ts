import { existsSync } from "node:fs";
import path from "node:path";
import { APP_DIR, electronStatus, ROOT } from "./electron-status";

/** Prints the one line that says why the smoke test is skipped, or checks that the app is built. */
export default function globalSetup(): void {
  const status = electronStatus();
  if (!status.ready) {
    // On a machine that must run it (CI with Electron), skipping would hide a broken install.
    if (process.env.GUICHET_REQUIRE_ELECTRON === "1") throw new Error(status.line);
    console.log(status.line);
    return;
  }
  const needed = [
    path.join(APP_DIR, "main.cjs"),
    path.join(APP_DIR, "preload.cjs"),
    path.join(ROOT, "dist", "renderer", "index.html"),
  ];
  const missing = needed.filter((f) => !existsSync(f)).map((f) => path.relative(ROOT, f));
  if (missing.length > 0) {
    throw new Error(
      `Application non construite (${missing.join(", ")}) : lancez « npm run electron:build ».`,
    );
  }
}
