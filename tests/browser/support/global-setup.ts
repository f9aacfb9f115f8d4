import { randomBytes } from "node:crypto";
import type { FullConfig } from "@playwright/test";
import { addUser } from "../../../sync-server/couch/users";
import { startTestServer } from "./test-server";

export type TestEnv = {
  appUrl: string;
  apiUrl: string;
  couchUrl: string;
  admin: { username: string; password: string };
  commune: string;
  mainDb: string;
  users: Record<"agentA" | "agentB" | "lockme", { username: string; password: string }>;
};

/**
 * One server for the whole browser run (the real embedded stack), two agents of the reception
 * service and one account reserved for the wrong-password test. Workers read it from GUICHET_TEST_ENV.
 */
export default async function globalSetup(_config: FullConfig): Promise<() => Promise<void>> {
  const server = await startTestServer();
  const user = async (name: string) => {
    const u = { username: `${name}.${server.commune}`, password: randomBytes(12).toString("base64url") };
    await addUser(server.couch, {
      name: u.username,
      password: u.password,
      roles: ["agent", "service_agent"],
      services: ["accueil", "etat_civil", "scolaire", "services_techniques"],
      commune: server.commune,
    });
    return u;
  };
  const env: TestEnv = {
    appUrl: server.appUrl,
    apiUrl: server.apiUrl,
    couchUrl: server.couchUrl,
    admin: { username: server.adminUser, password: server.adminPassword },
    commune: server.commune,
    mainDb: server.mainDb,
    users: { agentA: await user("agent-a"), agentB: await user("agent-b"), lockme: await user("lockme") },
  };
  process.env.GUICHET_TEST_ENV = JSON.stringify(env);
  console.log(`[browser] app ${server.appUrl}, CouchDB ${server.couchUrl}, commune ${server.commune}`);
  return () => server.stop();
}
