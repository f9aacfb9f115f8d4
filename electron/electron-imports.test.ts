import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const dir = path.dirname(fileURLToPath(import.meta.url));
// Only the Electron glue may load "electron" at run time: elsewhere, requiring it outside Electron
// starts the binary download (node_modules/electron/index.js), and the unit tests must not.
const GLUE = new Set(["main.ts", "preload.ts"]);

describe("electron/ modules", () => {
  it("import Electron for types only, except the glue", () => {
    const offenders = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts") && !GLUE.has(f))
      .filter((f) =>
        /^\s*import\s+(?!type\b)[^;]*from\s+["']electron["']/m.test(readFileSync(path.join(dir, f), "utf8")),
      );
    expect(offenders).toEqual([]);
  });
});
