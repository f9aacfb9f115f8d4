import type { Service } from "../../domain/catalogue";
import type { AgentCard, Commune } from "../../domain/commune";
import type { Role } from "../../domain/roles";
import type { Credentials } from "./http";
import { callJson } from "./server-api";

/** The sync-server's administration of the commune (admins only; the server checks the role). */
export type CommuneListing = {
  commune: Commune & { version: number };
  /** What legal documents still lack (French labels). */
  gaps: string[];
  history: { version: number; updatedBy?: string; updatedAt?: string }[];
  services: (Service & { version: number })[];
};
export type AgentsListing = {
  agents: AgentCard[];
  version: number;
  services: { id: string; name: string }[];
};
export type NewAgent = Omit<AgentCard, "disabled"> & { password: string };

const api = (serverUrl: string, path: string) => `${serverUrl.replace(/\/+$/, "")}/api/v1/admin/${path}`;
const send = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });

export const fetchCommune = (url: string, creds: Credentials) =>
  callJson<CommuneListing>(api(url, "commune"), creds);

export const saveCommune = (url: string, creds: Credentials, body: Record<string, unknown>) =>
  callJson<{ commune: Commune; gaps: string[] }>(api(url, "commune"), creds, send("PUT", body));

export const saveService = (url: string, creds: Credentials, id: string, body: Record<string, unknown>) =>
  callJson<{ service: Service }>(api(url, `services/${encodeURIComponent(id)}`), creds, send("PUT", body));

export const fetchAgents = (url: string, creds: Credentials) =>
  callJson<AgentsListing>(api(url, "agents"), creds);

export const createAgent = (url: string, creds: Credentials, agent: NewAgent) =>
  callJson<{ agent: AgentCard }>(api(url, "agents"), creds, send("POST", agent));

export const updateAgent = (
  url: string,
  creds: Credentials,
  username: string,
  patch: Partial<Omit<AgentCard, "username">> & { roles?: Role[] },
) =>
  callJson<{ agent: AgentCard }>(
    api(url, `agents/${encodeURIComponent(username)}`),
    creds,
    send("PUT", patch),
  );

export const resetPassword = (url: string, creds: Credentials, username: string, password: string) =>
  callJson<{ agent: AgentCard }>(
    api(url, `agents/${encodeURIComponent(username)}/password`),
    creds,
    send("POST", { password }),
  );
