import type { Catalogue, Demarche } from "../../domain/catalogue";
import type { Channel } from "../../domain/channels";
import type { Commune } from "../../domain/commune";

/** What the server tells a workstation (GET /api/v1/workstation/config), cached for offline starts. */
export type WorkstationConfig = {
  commune: Commune;
  couchUrl: string;
  /** `sensitive`: the sensitive services' databases this account may hold, by service. */
  databases: { main: string; log: string; config: string; sensitive?: Record<string, string> };
  catalogue: Catalogue;
  /** Replaced versions of démarches: a request made with one is shown with its fields (admin API). */
  demarcheVersions?: Demarche[];
};

export type AgentPrefs = { defaultChannel?: Channel; myService?: string };

export type Settings = {
  serverUrl: string;
  workstationName: string;
  /** Issued by the server for `codeServer`; the prefix of every tracking number made here. */
  workstationCode?: string;
  /** Issued with the code: proves to the server that calls come from this workstation (revocable). */
  workstationSecret?: string;
  codeServer?: string;
  config?: WorkstationConfig;
  agents: Record<string, AgentPrefs>;
};

const KEY = "guichet.settings.v1";

function defaultServerUrl(): string {
  // Served by the sync-server (…/guichet/): the server is this page's origin.
  return location.protocol === "http:" || location.protocol === "https:" ? location.origin : "";
}

export function loadSettings(): Settings {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? "null") as Partial<Settings> | null;
    if (stored) return { serverUrl: "", workstationName: "", agents: {}, ...stored } as Settings;
  } catch {
    // Unreadable settings: start again from the defaults below.
  }
  return { serverUrl: defaultServerUrl(), workstationName: "", agents: {} };
}

export function saveSettings(s: Settings): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

/** The code only holds for the server that issued it. */
export function workstationCodeFor(s: Settings): string | undefined {
  return s.workstationCode && s.codeServer === s.serverUrl ? s.workstationCode : undefined;
}

/** The code and secret this workstation proves itself with, for the server that issued them. */
export function workstationIdentityFor(s: Settings): { code: string; secret: string } | undefined {
  const code = workstationCodeFor(s);
  return code && s.workstationSecret ? { code, secret: s.workstationSecret } : undefined;
}

const REFRESH_KEY = "guichet.configRefreshMs";

/** How often a logged-in workstation reads the commune's configuration again (tests shorten it). */
export function configRefreshMs(): number {
  const stored = Number(localStorage.getItem(REFRESH_KEY));
  return Number.isFinite(stored) && stored >= 1_000 ? stored : 60_000;
}

export function agentPrefs(s: Settings, username: string): AgentPrefs {
  return s.agents[username] ?? {};
}
