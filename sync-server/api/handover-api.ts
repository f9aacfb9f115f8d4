import { badRequest } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import { type HandoverDeps, type HandoverResult, handOver, MAX_HANDOVER_BATCH } from "../services/handover";
import { asObject, readJson } from "./json-body";

const HANDOVER_LIMIT = 2 * 1024 * 1024;

/** `POST /api/v1/handovers`: a batch of sensitive requests recorded offline, each handed over (services/handover.ts). */
export function addHandoverApi(r: Router, deps: HandoverDeps): Router {
  r.post("/api/v1/handovers", async (ctx) => {
    const agent = await deps.agents.require(ctx.req);
    const body = asObject(await readJson(ctx, HANDOVER_LIMIT));
    const list = body.requests;
    if (!Array.isArray(list) || list.length === 0 || list.length > MAX_HANDOVER_BATCH) {
      throw badRequest(
        `« requests » : une liste de 1 à ${MAX_HANDOVER_BATCH} demandes est attendue.`,
        "requests",
      );
    }
    const results: HandoverResult[] = [];
    for (const raw of list) results.push(await handOver(deps, agent, raw));
    sendJson(ctx.res, 200, { results });
  });
  return r;
}
