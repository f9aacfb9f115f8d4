// Runs the embedded CouchDB-compatible server in its own process, so tests can SIGKILL it.
import { startEmbeddedCouch } from "../../sync-server/couch/embedded-couch";

const [dataDir, port, adminUser, adminPassword] = process.argv.slice(2);
const server = await startEmbeddedCouch({
  dataDir: dataDir!,
  port: Number(port),
  corsOrigins: [],
  adminUser,
  adminPassword,
});
process.stdout.write(`READY ${server.url}\n`);
