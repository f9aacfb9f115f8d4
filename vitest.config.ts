import { defineConfig } from "vitest/config";

// Two projects: pure/unit tests (fast, with coverage of domain/) and integration
// tests that start real servers (embedded PouchDB Server, or COUCHDB_URL).
export default defineConfig({
  test: {
    coverage: {
      provider: "v8",
      include: ["domain/**/*.ts"],
      exclude: ["domain/**/*.test.ts", "domain/test-fixtures.ts"],
      thresholds: { lines: 90 },
      reporter: ["text-summary"],
    },
    projects: [
      {
        test: {
          name: "unit",
          include: [
            "domain/**/*.test.ts",
            "renderer/**/*.test.ts",
            "sync-server/**/*.test.ts",
            "electron/**/*.test.ts",
          ],
          environment: "node",
        },
      },
      {
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
