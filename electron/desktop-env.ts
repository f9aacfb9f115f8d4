import type { WorkstationConfig } from "./guichet-api";
import { checkSyncOrigin, checkSyncUrl } from "./url-policy";
import { MAX_COUCH_ORIGINS } from "./workstation-config";

/** How `npm start` (electron/launch.ts) tells the desktop app where its server is. */
export const DESKTOP_ENV = {
  serverUrl: "GUICHET_DESKTOP_SERVER_URL",
  /** Comma-separated origins. */
  couchOrigins: "GUICHET_DESKTOP_COUCH_ORIGINS",
  /** Another user data folder (tests, or two instances side by side). */
  userData: "GUICHET_DESKTOP_USER_DATA",
} as const;

const ARG_SERVER = "--guichet-server-url=";
const ARG_COUCH = "--guichet-couch-origins=";

export type LaunchSeed = { serverUrl?: string; couchOrigins: string[]; warnings: string[] };

/** Reads the launcher's values (a command-line argument wins over the environment); invalid ones are dropped. */
export function readLaunchSeed(env: NodeJS.ProcessEnv, argv: readonly string[]): LaunchSeed {
  const arg = (prefix: string) => argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
  const seed: LaunchSeed = { couchOrigins: [], warnings: [] };
  const server = arg(ARG_SERVER) ?? env[DESKTOP_ENV.serverUrl];
  if (server?.trim()) {
    const checked = checkSyncUrl(server);
    if (checked.ok) seed.serverUrl = checked.url;
    else seed.warnings.push(`${DESKTOP_ENV.serverUrl} ignorée : ${checked.message}`);
  }
  const origins = arg(ARG_COUCH) ?? env[DESKTOP_ENV.couchOrigins] ?? "";
  for (const o of origins
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const checked = checkSyncOrigin(o);
    if (checked.ok) {
      if (!seed.couchOrigins.includes(checked.origin)) seed.couchOrigins.push(checked.origin);
    } else seed.warnings.push(`${DESKTOP_ENV.couchOrigins} : « ${o} » ignorée : ${checked.message}`);
  }
  return seed;
}

/**
 * The configuration to store after a launch with `seed`, or null when nothing changes. The seed
 * fills an unconfigured workstation (first run); a workstation already pointed at another server
 * keeps its settings (those were chosen on purpose); the same server gets the new CouchDB origins.
 */
export function applyLaunchSeed(current: WorkstationConfig, seed: LaunchSeed): WorkstationConfig | null {
  if (!seed.serverUrl) return null;
  if (current.serverUrl !== "" && current.serverUrl !== seed.serverUrl) return null;
  const couchOrigins = [...new Set([...current.couchOrigins, ...seed.couchOrigins])].slice(
    0,
    MAX_COUCH_ORIGINS,
  );
  const same = current.serverUrl === seed.serverUrl && couchOrigins.length === current.couchOrigins.length;
  return same ? null : { ...current, serverUrl: seed.serverUrl, couchOrigins };
}
