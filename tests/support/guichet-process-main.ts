// Runs the whole Guichet server (portal, API, jobs; embedded PouchDB Server unless COUCHDB_URL)
// in its own process, so a test can SIGKILL it under load. Settings come from the environment.
import { startGuichetServer } from "../../sync-server/server";

const port = Number(process.argv[2]);
const server = await startGuichetServer({
  port,
  // No built counter app, no limits: the load comes from one IP on purpose.
  rendererDir: "/nonexistent",
  limits: { submitPerMinute: null, followUpPerMinute: 1_000_000 },
  followUpMinDelayMs: 0,
  jobs: false,
  log: (m) => process.stderr.write(`${m}\n`),
});
process.stdout.write(`READY ${JSON.stringify({ url: server.url, couchUrl: server.couchUrl })}\n`);
