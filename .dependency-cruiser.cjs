/**
 * Layering of Guichet, checked by `npm run layers` (part of `npm test`).
 *
 *   domain/          pure rules: imports npm packages only
 *   renderer/db/     the workstation's data: domain
 *   renderer/sync/   replication and the server's JSON client: db, domain
 *   renderer/src/    screens: sync, db, domain
 *   sync-server/     the server: domain (and itself)
 *   electron/        the desktop shell: none of the others
 *
 * Tests, benches and build scripts are not layers: they may reach anything.
 */

/** Files outside the layers: tests and their support, benches, build tooling. */
const notLayered = [
  "\\.test\\.tsx?$",
  "\\.test-support\\.ts$",
  "^tests/",
  "^bench/",
  "^build/",
  "^[^/]+\\.config\\.ts$",
];

/**
 * Known violations, to be removed by the server step of the architecture work.
 * Each is one exact import; any other wrong-way import fails.
 */
const knownViolations = {
  // sync-server/start.ts opens the desktop window when Electron is there.
  serverToElectron: { from: "^sync-server/start\\.ts$", to: "^electron/launch\\.ts$" },
  // The accusés job and the outbox call each other (wired through mailJob.current in server.ts).
  circularMail: [
    "^sync-server/jobs/ack-mailer\\.ts$",
    "^sync-server/mail/outbox\\.ts$",
    "^sync-server/jobs/append-events\\.ts$",
  ],
};

const layer = (name, allowed) => ({
  name: `${name.replace(/\W+/g, "-").replace(/-$/, "")}-imports-only-${allowed.length ? "lower-layers" : "packages"}`,
  comment: `${name} may import only ${allowed.length ? allowed.join(", ") : "npm packages"} (and itself).`,
  severity: "error",
  from: { path: `^${name}`, pathNot: notLayered },
  to: {
    path: "^(domain|renderer|sync-server|electron)/",
    pathNot: [`^${name}`, ...allowed.map((a) => `^${a}`)],
  },
});

module.exports = {
  forbidden: [
    layer("domain/", []),
    layer("renderer/db/", ["domain/"]),
    layer("renderer/sync/", ["renderer/db/", "domain/"]),
    {
      ...layer("renderer/src/", ["renderer/sync/", "renderer/db/", "domain/"]),
      to: {
        path: "^(domain|renderer|sync-server|electron)/",
        // The desktop shell's contract (types only): what window.guichet offers the screens.
        pathNot: [
          "^renderer/src/",
          "^renderer/sync/",
          "^renderer/db/",
          "^domain/",
          "^electron/guichet-api\\.d\\.ts$",
        ],
      },
    },
    {
      name: "desktop-contract-is-types-only",
      comment: "The screens know window.guichet's shape, never the shell's code.",
      severity: "error",
      from: { path: "^renderer/" },
      to: { path: "^electron/", dependencyTypesNot: ["type-only"] },
    },
    {
      ...layer("sync-server/", ["domain/"]),
      from: {
        path: "^sync-server/",
        pathNot: [...notLayered, knownViolations.serverToElectron.from],
      },
    },
    {
      name: "known-violation-server-imports-electron",
      comment: "Temporary: only start.ts → electron/launch.ts is tolerated until the server step.",
      severity: "error",
      from: { path: knownViolations.serverToElectron.from },
      to: {
        path: "^(renderer|electron)/",
        pathNot: [knownViolations.serverToElectron.to],
      },
    },
    layer("electron/", []),
    {
      name: "no-circular",
      comment:
        "No import loops, anywhere. Temporary: the loop made of the three mail files alone is tolerated until the server step.",
      severity: "error",
      from: {},
      to: { circular: true, viaSomeNot: knownViolations.circularMail },
    },
    {
      name: "no-circular-folders",
      comment:
        "No loops between the renderer's folders either (screens by feature, shared pieces below them).",
      severity: "error",
      scope: "folder",
      from: { path: "^renderer/" },
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment: "An import that resolves to nothing is a typo or a missing package.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|\\.data|test-results)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".cjs", ".mjs", ".d.ts"],
    },
  },
};
