import { DESKTOP_ORIGIN, launchDesktop } from "../electron/launch";
import { startLocally } from "../sync-server/start";

/**
 * `npm start`: the server and, when Electron is there, the desktop window on it. The one place
 * that knows both: the server never imports the shell, nor the shell the server.
 */
startLocally({ origin: DESKTOP_ORIGIN, launch: launchDesktop }, process.argv[1] ?? "launcher/npm-start.ts");
