import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/**
 * The counter app. `base: "./"` so the same build works under the sync-server's /guichet/ and from
 * Electron's custom scheme. `--mode bench` builds a separate copy with the test hook
 * (window.__guichetTest) into dist/renderer-bench; the normal build never contains it.
 */
export default defineConfig(({ mode }) => ({
  root: here("renderer"),
  base: "./",
  plugins: [react()],
  build: {
    outDir: here(mode === "bench" ? "dist/renderer-bench" : "dist/renderer"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
}));
