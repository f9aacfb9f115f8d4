import { type ParseArgsConfig, parseArgs } from "node:util";
import type { Role } from "../domain/roles";
import { addCommune, deleteCommune, listCommuneDetails } from "./communes/commune-commands";
import { loadConfig } from "./config";
import { bootstrap } from "./couch/bootstrap";
import { type Couch, connectCouch } from "./couch/couch";
import { secretsPath } from "./couch/secrets";
import { addUser, userProblems } from "./couch/users";

const USAGE = `Utilisation :
  npm run server:bootstrap [-- --commune <id>]
      crée ou met à jour les bases, droits, règles de validation, index et comptes de service
  npm run user:add -- --name <identifiant> --password <mot de passe> --role <rôle> [--role <rôle>...]
                      [--service <service>...] [--commune <id>]
      rôles : agent, service_agent, supervisor, admin, portal, server
      mot de passe : 12 caractères au moins
  npm run commune:add -- <id> [--name "Mairie de …"] [--host mairie.example.fr...] [--public-url <url>]
                         [--imap-url imaps://…] [--mail-address mairie@…] [--admin <identifiant>]
      crée ou met à jour une commune (bases, comptes de service, administrateur) et l'inscrit au
      registre : un serveur déjà démarré la sert sans redémarrage ; --imap-url : la boîte de la
      commune lue par la porte courriel (le mot de passe reste dans le registre, réservé au serveur)
  npm run commune:list
      les communes : identifiant, nom, adresse (hôte ou /c/<id>/), bases, comptes
  npm run commune:delete -- <id> --confirm <id>
      supprime la commune, ses bases, ses comptes et ses secrets (irréversible : sauvegardez d'abord)

Variables d'environnement : COUCHDB_URL (sinon serveur PouchDB embarqué), COUCHDB_ADMIN_USER,
COUCHDB_ADMIN_PASSWORD, GUICHET_DATA_DIR, GUICHET_COUCH_PORT, GUICHET_CORS_ORIGINS, GUICHET_COMMUNE.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  if (command === "bootstrap") return runBootstrap(args);
  if (command === "user:add") return runUserAdd(args);
  if (command === "commune:add") return runCommuneAdd(args);
  if (command === "commune:list") return runCommuneList(args);
  if (command === "commune:delete") return runCommuneDelete(args);
  if (command === undefined || command === "help" || command === "--help") {
    console.log(USAGE);
    return;
  }
  throw new UsageError(`Commande inconnue : « ${command} ».`);
}

function parse(args: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  try {
    return parseArgs({ args, options, allowPositionals: false, strict: true }).values;
  } catch (e) {
    throw new UsageError(`Arguments invalides : ${(e as Error).message}`);
  }
}

/** "--role a --role b" and "--role a,b" both work. */
const list = (v: unknown): string[] =>
  (Array.isArray(v) ? v : typeof v === "string" ? [v] : [])
    .flatMap((x) => String(x).split(","))
    .map((x) => x.trim())
    .filter(Boolean);

async function withCouch<T>(
  run: (couch: Couch, commune: string) => Promise<T>,
  commune?: string,
): Promise<T> {
  const config = loadConfig();
  const couch = await connectCouch(config, { attachToRunning: true });
  console.log(
    couch.kind === "couchdb"
      ? `Serveur : CouchDB ${couch.url}`
      : `Serveur : PouchDB Server embarqué ${couch.url} (données : ${config.dataDir})`,
  );
  try {
    return await run(couch, commune ?? config.commune);
  } finally {
    await couch.stop();
  }
}

async function runBootstrap(args: string[]): Promise<void> {
  const values = parse(args, { commune: { type: "string" } });
  await withCouch(
    async (couch, commune) => {
      const result = await bootstrap(couch, commune);
      if (result.changes.length === 0) console.log(`Commune ${commune} : tout était déjà en place.`);
      else for (const line of result.changes) console.log(`- ${line}`);
      console.log(`Bases : ${result.databases.all.join(", ")}`);
      console.log(
        `Comptes de service : ${Object.keys(result.serviceAccounts).join(", ")} ` +
          `(mots de passe : variables GUICHET_*_PASSWORD ou ${secretsPath(couch.dataDir)}).`,
      );
    },
    typeof values.commune === "string" ? values.commune : undefined,
  );
}

async function runUserAdd(args: string[]): Promise<void> {
  const values = parse(args, {
    name: { type: "string" },
    password: { type: "string" },
    role: { type: "string", multiple: true },
    service: { type: "string", multiple: true },
    commune: { type: "string" },
  });
  if (typeof values.name !== "string") throw new UsageError("--name est obligatoire.");
  if (typeof values.password !== "string") throw new UsageError("--password est obligatoire.");
  const name = values.name;
  const password = values.password;
  const roles = list(values.role) as Role[];
  const services = list(values.service);
  const problems = userProblems({ name, password, roles, services });
  if (problems.length > 0) throw new Error(problems.join("\n"));
  await withCouch(
    async (couch, commune) => {
      const result = await addUser(couch, {
        name,
        password,
        roles,
        services,
        commune,
      });
      console.log(
        `Compte « ${name} » ${result.created ? "créé" : "mis à jour"} (commune ${commune}) : ${result.couchRoles.join(", ")}`,
      );
    },
    typeof values.commune === "string" ? values.commune : undefined,
  );
}

function parseWithId(args: string[], options: NonNullable<ParseArgsConfig["options"]>) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
    if (parsed.positionals.length !== 1) throw new UsageError("Indiquez l'identifiant de la commune.");
    return { id: parsed.positionals[0] ?? "", values: parsed.values };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`Arguments invalides : ${(e as Error).message}`);
  }
}

const serverUrl = () =>
  process.env.GUICHET_PUBLIC_URL?.trim() || `http://127.0.0.1:${process.env.GUICHET_PORT?.trim() || "3000"}`;

async function runCommuneAdd(args: string[]): Promise<void> {
  const { id, values } = parseWithId(args, {
    name: { type: "string" },
    host: { type: "string", multiple: true },
    "public-url": { type: "string" },
    "imap-url": { type: "string" },
    "mail-address": { type: "string" },
    admin: { type: "string" },
  });
  await withCouch(async (couch) => {
    const added = await addCommune(couch, {
      id,
      ...(typeof values.name === "string" ? { name: values.name } : {}),
      ...(values.host ? { hosts: list(values.host) } : {}),
      ...(typeof values["public-url"] === "string" ? { publicUrl: values["public-url"] } : {}),
      ...(typeof values["imap-url"] === "string"
        ? {
            mailbox: {
              imapUrl: values["imap-url"],
              ...(typeof values["mail-address"] === "string" ? { address: values["mail-address"] } : {}),
            },
          }
        : {}),
      ...(typeof values.admin === "string" ? { admin: values.admin } : {}),
      serverUrl: serverUrl(),
    });
    for (const line of added.changes) console.log(`- ${line}`);
    console.log(`Commune ${added.id} (${added.name}) prête.`);
    console.log(`  Portail          ${added.portalUrl}`);
    console.log(`  Bases            ${added.databases.join(", ")}`);
    if ("password" in added.admin) {
      console.log(`  Administrateur   identifiant ${added.admin.name}  mot de passe ${added.admin.password}`);
      console.log("Notez ce mot de passe : il ne sera plus jamais affiché.");
    } else console.log(`  Administrateur   ${added.admin.name} (existait déjà, mot de passe inchangé)`);
  });
}

async function runCommuneList(args: string[]): Promise<void> {
  parse(args, {});
  await withCouch(async (couch, defaultCommune) => {
    const communes = await listCommuneDetails(couch, defaultCommune, serverUrl());
    if (communes.length === 0) console.log("Aucune commune : npm run commune:add -- <id>.");
    for (const c of communes) {
      console.log(`${c.id}  ${c.name}`);
      console.log(`  adresse   ${c.access}`);
      console.log(`  bases     ${c.databases.join(", ") || "(aucune)"}`);
      console.log(`  comptes   ${c.accounts.join(", ") || "(aucun)"}`);
    }
  });
}

async function runCommuneDelete(args: string[]): Promise<void> {
  const { id, values } = parseWithId(args, { confirm: { type: "string" } });
  if (values.confirm !== id) {
    throw new UsageError(
      `Suppression irréversible : répétez l'identifiant pour confirmer (--confirm ${id}). Sauvegardez d'abord.`,
    );
  }
  await withCouch(async (couch) => {
    const result = await deleteCommune(couch, id);
    console.log(`Commune ${id} supprimée.`);
    console.log(`  Bases supprimées     ${result.databases.join(", ") || "(aucune)"}`);
    console.log(`  Comptes supprimés    ${result.accountsDeleted.join(", ") || "(aucun)"}`);
    if (result.accountsUpdated.length > 0)
      console.log(`  Comptes mis à jour   ${result.accountsUpdated.join(", ")} (rôles de ${id} retirés)`);
  });
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`Erreur : ${(e as Error).message}`);
  if (e instanceof UsageError) console.error(`\n${USAGE}`);
  process.exitCode = 1;
});
