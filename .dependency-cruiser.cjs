/**
 * Layering of Guichet, checked by `npm run layers` (part of `npm test`).
 *
 *   domain/          pure rules: imports npm packages only
 *   renderer/db/     the workstation's data: domain
 *   renderer/sync/   replication and the server's JSON client: db, domain
 *   renderer/src/    screens: sync, db, domain
 *   sync-server/     the server: domain (and itself)
 *   electron/        the desktop shell: none of the others
 *   launcher/        `npm start`: wires the server and the shell together; nothing imports it
 *
 * Inside sync-server/, from the top down (each may use what is below it, never what is above):
 *   server.ts, start.ts, cli.ts   entry points
 *   site/                         one commune's start-up: wires handlers, mail and jobs together
 *   api/, portal/, jobs/, mail-intake/, mail/   HTTP handlers, feed reactions and daily jobs, mail
 *   services/                     what handlers and jobs share: intake, follow-up, tokens, attestation…
 *   couch/                        CouchDB: the one client, set-up, security, users, validation
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
    layer("sync-server/", ["domain/"]),
    {
      name: "server-services-below-handlers-and-jobs",
      comment:
        "sync-server/services/ is called by api/, portal/, jobs/ and mail-intake/, never the other way.",
      severity: "error",
      from: { path: "^sync-server/services/", pathNot: notLayered },
      to: {
        path: "^sync-server/(api|portal|jobs|mail|mail-intake|site|communes)/|^sync-server/(server|start|cli)\\.ts$",
      },
    },
    {
      name: "server-couch-below-services",
      comment: "sync-server/couch/ (client and set-up) knows nothing of the services, handlers or jobs.",
      severity: "error",
      from: { path: "^sync-server/couch/", pathNot: notLayered },
      to: {
        path: "^sync-server/(services|api|portal|jobs|mail|mail-intake|site)/|^sync-server/(server|start|cli)\\.ts$",
      },
    },
    {
      name: "server-handlers-not-jobs",
      comment: "HTTP handlers (api/, portal/) reach jobs and start-up only through services/.",
      severity: "error",
      from: { path: "^sync-server/(api|portal)/", pathNot: notLayered },
      to: { path: "^sync-server/(jobs|site|mail-intake)/|^sync-server/(server|start|cli)\\.ts$" },
    },
    {
      name: "server-start-up-from-entry-points-only",
      comment: "site/ is started by server.ts alone.",
      severity: "error",
      from: {
        path: "^sync-server/",
        pathNot: [...notLayered, "^sync-server/(server|start|cli)\\.ts$", "^sync-server/site/"],
      },
      to: { path: "^sync-server/site/" },
    },
    layer("electron/", []),
    {
      name: "launcher-is-an-entry-point",
      comment: "launcher/ starts the whole; no layer depends on it.",
      severity: "error",
      from: { path: "^(domain|renderer|sync-server|electron)/" },
      to: { path: "^launcher/" },
    },
    {
      name: "no-circular",
      comment: "No import loops, anywhere.",
      severity: "error",
      from: {},
      to: { circular: true },
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
