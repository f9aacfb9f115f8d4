import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, build } from "esbuild";

/**
 * Bundles the main process and the preload to CommonJS in dist/electron. `electron` stays
 * external: the running Electron provides it. Also writes dist/electron/package.json, so
 * `electron dist/electron` runs the app with its name and version whatever the root "main" says.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist", "electron");

const common: BuildOptions = {
  bundle: true,
  format: "cjs",
  external: ["electron"],
  outdir,
  outExtension: { ".js": ".cjs" },
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  absWorkingDir: root,
};

await mkdir(outdir, { recursive: true });
await Promise.all([
  build({ ...common, entryPoints: { main: "electron/main.ts" }, platform: "node", target: "node22" }),
  // Sandboxed preload: no Node built-ins there, so the browser platform makes any slip a build error.
  build({
    ...common,
    entryPoints: { preload: "electron/preload.ts" },
    platform: "browser",
    target: "es2022",
  }),
]);

const pkg = JSON.parse(await readFile(path.join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  description?: string;
};
const appPkg = {
  name: pkg.name,
  productName: "Guichet",
  version: pkg.version,
  description: pkg.description ?? "",
  private: true,
  main: "main.cjs",
};
await writeFile(path.join(outdir, "package.json"), `${JSON.stringify(appPkg, null, 2)}\n`);
console.log(`Application de bureau construite dans ${path.relative(root, outdir)} (main.cjs, preload.cjs).`);
