import { z } from "zod";
import { fieldIssues } from "../../domain/zod-fr";
import { HttpError } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import type { AgentAuth } from "../services/agent-auth";
import { type ApiKey, type ApiKeys, apiKeySettingsSchema, applicationName } from "../services/api-keys";
import { asObject, readJson } from "./json-body";

/** What the admin screen sees of a key: everything but the hash. */
const publicKey = ({ hash: _h, ...rest }: ApiKey) => rest;

function invalid(error: z.ZodError): HttpError {
  const issues = fieldIssues(error);
  return new HttpError(422, issues[0]?.message ?? "Demande invalide.", issues);
}

export type ApiKeysApiDeps = { agents: AgentAuth; keys: ApiKeys; now: () => Date };

/** Admins list, issue and revoke keys and say whether Open311 posts need one. */
export function addApiKeysApi(r: Router, deps: ApiKeysApiDeps): Router {
  const requireAdmin = async (ctx: Parameters<Parameters<Router["get"]>[1]>[0]) => {
    try {
      return await deps.agents.require(ctx.req, ["admin"]);
    } catch (e) {
      if (e instanceof HttpError && e.status === 403)
        throw new HttpError(403, "Seuls les administrateurs gèrent les clés d'API Open311.");
      throw e;
    }
  };

  r.get("/api/v1/admin/api-keys", async (ctx) => {
    await requireAdmin(ctx);
    const [settings, keys] = await Promise.all([deps.keys.settings(), deps.keys.list()]);
    sendJson(ctx.res, 200, { ...settings, keys: keys.map(publicKey) });
  });

  r.post("/api/v1/admin/api-keys", async (ctx) => {
    const agent = await requireAdmin(ctx);
    const parsed = z.strictObject({ application: applicationName }).safeParse(asObject(await readJson(ctx)));
    if (!parsed.success) throw invalid(parsed.error);
    const { key, record } = await deps.keys.issue(parsed.data.application, agent.name, deps.now());
    sendJson(ctx.res, 201, { key, ...publicKey(record) });
  });

  r.post("/api/v1/admin/api-keys/:id/revoke", async (ctx) => {
    const agent = await requireAdmin(ctx);
    const revoked = await deps.keys.revoke(ctx.params.id ?? "", agent.name, deps.now());
    if (!revoked) throw new HttpError(404, "Clé d'API introuvable.");
    sendJson(ctx.res, 200, publicKey(revoked));
  });

  r.on("PUT", "/api/v1/admin/api-keys/settings", async (ctx) => {
    await requireAdmin(ctx);
    const parsed = apiKeySettingsSchema.safeParse(asObject(await readJson(ctx)));
    if (!parsed.success) throw invalid(parsed.error);
    await deps.keys.setSettings(parsed.data);
    sendJson(ctx.res, 200, parsed.data);
  });
  return r;
}
