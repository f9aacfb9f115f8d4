import { createContext, useContext } from "react";
import type { Catalogue } from "../../../domain/catalogue";
import type { Channel } from "../../../domain/channels";
import type { Commune } from "../../../domain/commune";
import type { LocalData } from "../../db/local-database";
import type { AgentPrefs, Settings } from "../../db/settings-store";
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

export const DEFAULT_CHANNEL: Channel = "guichet";
