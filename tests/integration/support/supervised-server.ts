import { createServer } from "node:http";
import {
  installProcessGuards,
  reportReady,
  SUPERVISED_ENV,
  superviseServer,
} from "../../../sync-server/supervisor";

/**
 * A stand-in for `npm start` (sync-server/start.ts) with the same supervisor, for
 * tests/integration/supervisor.test.ts: the supervised process serves HTTP on a free port and
 * prints it; `/reject` leaves a promise rejection unhandled, `/throw` throws out of a callback.
 */
if (process.env[SUPERVISED_ENV] === "1") {
  installProcessGuards((m) => console.log(m));
  const server = createServer((req, res) => {
    if (req.url === "/reject") void Promise.reject(new Error("rejet oublié"));
    if (req.url === "/throw")
      setImmediate(() => {
        throw new Error("exception non rattrapée");
      });
    res.end(String(process.pid));
  });
  server.listen(0, "127.0.0.1", () => {
    const port = (server.address() as { port: number }).port;
    console.log(`prêt pid=${process.pid} port=${port}`);
    reportReady();
  });
  process.on("SIGINT", () => {
    console.log("arrêt propre");
    server.close(() => process.exit(0));
  });
} else {
  superviseServer({ script: process.argv[1] ?? "", firstDelayMs: 200, maxDelayMs: 1_000 });
}
