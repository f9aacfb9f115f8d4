import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";
import { VitePWA } from "vite-plugin-pwa";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

type HolidayData = { version: string; license: string; holidays: Record<string, unknown>; names: unknown };
type PackedZones = { version: string; zones: string[]; links: string[]; countries: string[] };

/**
 * domain/calendar.ts only asks date-holidays about France, but the package bundles every
 * country's rules and moment-timezone every zone (≈ 1.3 MB of the app's JavaScript before
 * minification, parsed at each start). The counter app gets France's rules (with the overseas
 * départements its data refers to) and those départements' zones only; the rules engine itself
 * (date-holidays-parser) is untouched, so the results are the same.
 */
function frenchHolidaysOnly(): Plugin {
  const DATA = "\0guichet:holidays-fr";
  const ZONES = "\0guichet:moment-tz-fr";
  let subset:
    | Promise<{ holidays: Record<string, unknown>; data: HolidayData; zones: Set<string> }>
    | undefined;
  // France, and the countries its overseas départements borrow their days from ("_days").
  const french = async () => {
    const { data } = (await import(here("node_modules/date-holidays/src/data.js"))) as { data: HolidayData };
    const holidays: Record<string, unknown> = {};
    const zones = new Set<string>();
    const pending = ["FR"];
    while (pending.length > 0) {
      const code = pending.pop()!;
      if (holidays[code] || !data.holidays[code]) continue;
      holidays[code] = data.holidays[code];
      const text = JSON.stringify(data.holidays[code]);
      for (const m of text.matchAll(/"_days":"([A-Z]{2})"/g)) pending.push(m[1]!);
      for (const m of text.matchAll(/"zones":\[([^\]]*)\]/g))
        for (const z of JSON.parse(`[${m[1]}]`)) zones.add(z);
    }
    return { holidays, data, zones };
  };
  return {
    name: "guichet-french-holidays-only",
    enforce: "pre",
    resolveId(source, importer) {
      const from = importer?.replaceAll("\\", "/") ?? "";
      if (source === "./data.js" && from.includes("/date-holidays/src/")) return DATA;
      // caldate and date-holidays-parser, the only users of moment-timezone in the app.
      if (source === "moment-timezone") return ZONES;
      return null;
    },
    async load(id) {
      if (id !== DATA && id !== ZONES) return null;
      subset ??= french();
      const { holidays, data, zones } = await subset;
      if (id === DATA) return `export const data = ${JSON.stringify({ ...data, holidays })};`;
      const packed = JSON.parse(
        readFileSync(here("node_modules/moment-timezone/data/packed/latest.json"), "utf8"),
      ) as PackedZones;
      const links = packed.links.filter((l) => l.split("|").some((z) => zones.has(z)));
      const needed = new Set([...zones, ...links.flatMap((l) => l.split("|"))]);
      const tz = {
        version: packed.version,
        zones: packed.zones.filter((z) => needed.has(z.slice(0, z.indexOf("|")))),
        links,
        countries: [],
      };
      return `import moment from "moment-timezone/moment-timezone.js";\nmoment.tz.load(${JSON.stringify(tz)});\nexport default moment;`;
    },
  };
}

/**
 * A service worker (Workbox, generated) that precaches the whole app: a reload or a reopened tab
 * without network still opens it (the data is already in IndexedDB). Registered by main.tsx only
 * when served over http(s): Electron's app:// is left as it is. It serves the app's own files
 * only; API and CouchDB calls go to the network untouched. The cached pages keep the headers they
 * were served with, the CSP included. Not in the bench build, whose figures it would change.
 */
function counterServiceWorker(mode: string) {
  return VitePWA({
    disable: mode === "bench",
    injectRegister: false,
    registerType: "autoUpdate",
    manifest: false,
    filename: "sw.js",
    workbox: {
      globPatterns: ["**/*.{js,css,html,png,svg,ico,woff2}"],
      navigateFallback: "index.html",
      cleanupOutdatedCaches: true,
      clientsClaim: true,
      skipWaiting: true,
      maximumFileSizeToCacheInBytes: 6 * 1024 * 1024,
    },
  });
}

/**
 * The counter app. `base: "./"` so the same build works under the sync-server's /guichet/ and from
 * Electron's custom scheme. `--mode bench` builds a separate copy with the test hook
 * (window.__guichetTest) into dist/renderer-bench; the normal build never contains it.
 */
export default defineConfig(({ mode }) => ({
  root: here("renderer"),
  base: "./",
  plugins: [frenchHolidaysOnly(), react(), counterServiceWorker(mode)],
  build: {
    outDir: here(mode === "bench" ? "dist/renderer-bench" : "dist/renderer"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
  },
}));
