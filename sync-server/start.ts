import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { loadConfig } from "./config";
import { connectCouch } from "./couch/couch";
import { randomPassword } from "./couch/secrets";
import { getUserDoc } from "./couch/user-docs";
import { addUser } from "./couch/users";
import { startGuichetServer } from "./server";
import { installProcessGuards, reportReady, SUPERVISED_ENV, superviseServer } from "./supervisor";

/**
 * The desktop shell as `npm start` sees it: the origin its pages sync from, and how to open its
 * window on the local server. Given by the entry point (launcher/npm-start.ts), so that the server
 * never depends on the shell's code.
 */
export type DesktopShell = {
  origin: string;
  launch(o: {
    counterUrl: string;
    couchOrigins: string[];
  }): Promise<{ launched: true; stop(): Promise<void> } | { launched: false; reason: string }>;
};

/**
 * `npm start`: everything on this machine. Demo mode by default (commune « demo », data in
 * ./.data/demo, two demo accounts whose passwords are printed once: CouchDB keeps only a hash);
 * `npm start -- --no-demo` (or GUICHET_DEMO=0) runs on GUICHET_DATA_DIR with the commune of
 * GUICHET_COMMUNE and no demo account, so demo data never mixes with real data.
 */
const demo = !process.argv.includes("--no-demo") && process.env.GUICHET_DEMO !== "0";
const DEMO_ACCOUNTS = [
  { name: "agent", label: "Agent d'accueil", roles: ["agent" as const] },
  { name: "encadrant", label: "Encadrant", roles: ["supervisor" as const] },
];

async function main(desktopShell: DesktopShell): Promise<void> {
  const loaded = loadConfig();
  const config = demo ? { ...loaded, commune: "demo", dataDir: path.join(loaded.dataDir, "demo") } : loaded;
  // The desktop app's pages come from app://guichet: let them sync.
  if (!config.corsOrigins.includes(desktopShell.origin)) config.corsOrigins.push(desktopShell.origin);
  if (!existsSync(path.resolve("dist/renderer/index.html"))) {
    console.log("Construction de l'application du guichet (première fois)…");
    spawnSync(
      process.execPath,
      [path.resolve("node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"],
      {
        stdio: "inherit",
      },
    );
  }
  const couch = await connectCouch(config);
  const server = await startGuichetServer({ couch, config, dev: demo }).catch(async (e) => {
    await couch.stop();
    throw e;
  });

  const created: { name: string; label: string; password: string }[] = [];
  for (const account of demo ? DEMO_ACCOUNTS : []) {
    if (await getUserDoc(couch, account.name)) continue;
    const password = randomPassword();
    await addUser(couch, { name: account.name, password, roles: account.roles, commune: server.commune });
    created.push({ name: account.name, label: account.label, password });
  }

  const app = existsSync(path.resolve("dist/renderer/index.html"))
    ? `${server.url}/guichet/`
    : `${server.url}/guichet/ (construisez-le d'abord : npm run build)`;
  const lines = [
    "",
    `Guichet est démarré (commune « ${server.commune} », données dans ${config.dataDir}).`,
    "",
    `  Portail des citoyens     ${server.url}/`,
    `  Suivi d'une demande      ${server.url}/suivi`,
    `  Application du guichet   ${app}`,
    `  API JSON                 ${server.url}/api/v1/catalogue`,
    `  Open311                  ${server.url}/open311/v2/services.json`,
    ...(server.smtp.sink ? [`  Courriels (dév.)         ${server.url}/dev/inbox`] : []),
    `  CouchDB                  ${server.couchUrl}`,
    "",
  ];
  if (created.length > 0) {
    lines.push(
      "Comptes de démonstration créés. Notez ces mots de passe : ils ne seront plus jamais affichés.",
    );
    for (const c of created)
      lines.push(`  ${c.label.padEnd(16)} identifiant ${c.name.padEnd(10)} mot de passe ${c.password}`);
    lines.push("");
  }
  if (!demo) lines.push("Mode réel : créez les comptes avec npm run user:add.", "");
  if (!server.smtp.url && !server.smtp.sink) {
    lines.push(
      "Aucun serveur d'envoi (SMTP_URL) : les courriels aux citoyens attendent dans la file d'envoi",
      "et partiront au redémarrage avec SMTP_URL configuré.",
      "",
    );
  }
  const desktop = await desktopShell.launch({
    counterUrl: `${server.url}/guichet/`,
    couchOrigins: [new URL(server.couchUrl).origin],
  });
  lines.push(
    desktop.launched
      ? "Application de bureau lancée."
      : `Application de bureau non lancée : ${desktop.reason.replace(/\.?$/, ".")} Le guichet s'ouvre dans un navigateur : ${server.url}/guichet/`,
  );
  lines.push("Ctrl+C pour arrêter.");
  console.log(lines.join("\n"));
  reportReady();

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} reçu : arrêt en cours…`);
    try {
      if (desktop.launched) await desktop.stop();
      await server.stop();
      await couch.stop();
      console.log("Guichet est arrêté.");
      process.exit(0);
    } catch (e) {
      console.error(`Arrêt incomplet : ${(e as Error).message}`);
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

/**
 * `npm start` is a supervisor that runs the server (`main`) in a child process of the same entry
 * script and restarts it.
 */
export function startLocally(desktop: DesktopShell, script: string): void {
  if (process.env[SUPERVISED_ENV] === "1") {
    installProcessGuards();
    main(desktop).catch((e: Error) => {
      console.error(`Guichet n'a pas pu démarrer : ${e.message}`);
      if (process.env.GUICHET_DEBUG) console.error(e.stack);
      process.exit(1);
    });
  } else {
    superviseServer({ script });
  }
}
