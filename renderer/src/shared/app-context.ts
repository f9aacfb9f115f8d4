import { createContext, useContext } from "react";
import type { Catalogue } from "../../../domain/catalogue";
import type { Channel } from "../../../domain/channels";
import type { Commune } from "../../../domain/commune";
import type { LocalData } from "../../db/local-database";
import type { AgentPrefs, Settings } from "../../db/settings-store";
import { fr } from "../i18n/fr";
import type { Session } from "./session";

/** What every screen of a logged-in workstation needs. */
export type Workstation = {
  data: LocalData;
  session: Session;
  settings: Settings;
  updateSettings(next: Settings): void;
  catalogue: Catalogue;
  commune: Commune;
  /** Missing until the first online login registers this workstation. */
  workstationCode: string | undefined;
  prefs: Required<Pick<AgentPrefs, "defaultChannel">> & AgentPrefs & { myService: string };
  reSync(): void;
};

export const WorkstationContext = createContext<Workstation | null>(null);

export function useWorkstation(): Workstation {
  const ws = useContext(WorkstationContext);
  if (!ws) throw new Error("useWorkstation outside a logged-in workstation");
  return ws;
}

/** Who signs what this workstation writes. */
export type Signer = { username: string; workstation: string };

/**
 * The signer of this workstation's events, or null while it has no code: a workstation gets its
 * code at its first online login, and writes nothing before (no borrowed code, no duplicate numbers).
 */
export function signerOf(ws: Workstation): Signer | null {
  return ws.workstationCode ? { username: ws.session.username, workstation: ws.workstationCode } : null;
}

/** The signer, for code that runs only once the screen has checked there is one. */
export function requireSigner(ws: Workstation): Signer {
  const who = signerOf(ws);
  if (!who) throw new Error(fr.newRequest.noWorkstationCode);
  return who;
}

export const DEFAULT_CHANNEL: Channel = "guichet";
