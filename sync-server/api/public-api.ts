import type { Catalogue } from "../../domain/catalogue";
import { findService } from "../../domain/catalogue";
import { type Commune, communePostalAddress } from "../../domain/commune";
import { formatTrackingNumber } from "../../domain/tracking-number";
import type { CouchDb } from "../couch/couch-db";
import type { RateLimiter } from "../http/rate-limit";
import { sendJson, sitePath } from "../http/respond";
import type { Router } from "../http/router";
import { findForCitizen, NOT_FOUND_MESSAGE } from "../services/follow-up";
import { type IntakeDeps, onlineDemarches, submit } from "../services/intake";
import { implicitAcceptanceBorn, publicView } from "../services/public-view";
import type { Tokens } from "../services/tokens";
import { asObject, JSON_WITH_FILES_LIMIT, readJson } from "./json-body";

export type PublicApiDeps = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  intake: IntakeDeps;
  mainDb: CouchDb;
  tokens: Tokens;
  followUpLimiter: RateLimiter;
  submitLimiter: RateLimiter | null;
  today: () => string;
  followUpMinDelayMs: number;
};

/** JSON API v1 for citizens' apps: the portal's actions (catalogue, submission, follow-up). */
export function addPublicApi(r: Router, deps: PublicApiDeps): Router {
  // Cheapest answer of this HTTP stack: the benchmark's floor, and a health check for a proxy.
  r.get("/api/v1/health", (ctx) => sendJson(ctx.res, 200, { ok: true }));

  r.get("/api/v1/catalogue", (ctx) => {
    const c = deps.catalogue();
    const commune = deps.commune();
    sendJson(ctx.res, 200, {
      commune: {
        id: commune.id,
        name: commune.name,
        address: communePostalAddress(commune),
        phone: commune.phone,
        email: commune.email,
      },
      demarches: onlineDemarches(c).map((d) => ({
        id: d.id,
        label: d.label,
        category: d.category,
        description: d.description,
        service: findService(c, d.service)?.name ?? d.service,
        rule: d.rule,
        arOwed: d.arOwed,
        needsLocation: d.needsLocation,
        fields: d.fields,
      })),
    });
  });

  r.post("/api/v1/requests", async (ctx) => {
    deps.submitLimiter?.hit(ctx.ip);
    const body = asObject(await readJson(ctx, JSON_WITH_FILES_LIMIT));
    const result = await submit(deps.intake, body);
    if (!result.ok) {
      sendJson(ctx.res, 422, { errors: result.issues });
      return;
    }
    const req = result.request;
    sendJson(ctx.res, 201, {
      id: req.id,
      trackingNumber: formatTrackingNumber(req.tracking),
      receivedAt: req.receivedAt,
      status: publicView(req, deps.catalogue(), deps.today()).status,
    });
  });

  r.post("/api/v1/follow-up", async (ctx) => {
    deps.followUpLimiter.hit(ctx.ip);
    const body = asObject(await readJson(ctx));
    const found = await findForCitizen(deps.mainDb, body, deps.followUpMinDelayMs);
    ctx.res.setHeader("Cache-Control", "no-store");
    if (found.ok) {
      const today = deps.today();
      const token = deps.tokens.sign("suivi", found.request.id, 30 * 60);
      sendJson(ctx.res, 200, {
        request: publicView(found.request, deps.catalogue(), today),
        ...(implicitAcceptanceBorn(found.request, today)
          ? { attestationUrl: sitePath(ctx.res, `/suivi/r/${token}/attestation.pdf`) }
          : {}),
      });
    } else if ("issues" in found) {
      sendJson(ctx.res, 422, { errors: found.issues });
    } else {
      sendJson(ctx.res, 404, { errors: [{ field: "", message: NOT_FOUND_MESSAGE }] });
    }
  });
  return r;
}
