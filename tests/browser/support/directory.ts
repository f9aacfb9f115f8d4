import { randomBytes } from "node:crypto";
import { expect } from "@playwright/test";
import { adminClient, type Couch } from "../../../sync-server/couch/couch";
import { addUser } from "../../../sync-server/couch/users";
import { testEnv } from "./app";

/** The test server's CouchDB as its administrator, the way `npm run user:add` reaches it. */
export function serverCouch(): Couch {
  const env = testEnv();
  return {
    url: env.couchUrl,
    admin: adminClient(env.couchUrl, env.admin.username, env.admin.password),
    adminUser: env.admin.username,
    adminPassword: env.admin.password,
    kind: "embedded",
    dataDir: "",
    stop: async () => undefined,
  };
}

/**
 * Puts agents in the commune's directory through the admin API: once the directory holds anyone,
 * the server refuses an assignment to a name outside it or outside the agent's services.
 */
export async function addDirectoryAgents(
  tag: string,
  agents: readonly (readonly [username: string, services: readonly string[]])[],
): Promise<void> {
  const env = testEnv();
  const admin = { name: `admin-${tag}.${env.commune}`, password: `admin-${tag}-motdepasse` };
  await addUser(serverCouch(), { ...admin, roles: ["admin"], commune: env.commune });
  const auth = `Basic ${Buffer.from(`${admin.name}:${admin.password}`).toString("base64")}`;
  for (const [username, services] of agents) {
    const res = await fetch(`${env.apiUrl}/api/v1/admin/agents`, {
      method: "POST",
      headers: { authorization: auth, "content-type": "application/json" },
      body: JSON.stringify({
        username,
        firstName: "Agent",
        lastName: username,
        position: "agent de service",
        roles: ["service_agent"],
        services,
        password: `${username}-motdepasse`,
      }),
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}

/** An admin of the test commune (the global set-up only makes agents), as `npm run user:add` makes one. */
export async function createAdmin(): Promise<{ username: string; password: string }> {
  const env = testEnv();
  const user = {
    username: `admin-${randomBytes(3).toString("hex")}.${env.commune}`,
    password: "admin-pass-123",
  };
  await addUser(serverCouch(), {
    name: user.username,
    password: user.password,
    roles: ["admin"],
    commune: env.commune,
  });
  return user;
}
