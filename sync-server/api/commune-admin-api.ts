import { serviceSchema } from "../../domain/catalogue";
import { type Commune, communeSchema, identityGaps } from "../../domain/commune";
import {
  COMMUNE_DOC_ID,
  historyOf,
  parseConfigDocs,
  type StoredDoc,
  serviceDocId,
  strip,
} from "../couch/config-docs";
import { HttpError } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import {
  type AdminAccess,
  checkBaseVersion,
  invalid,
  plainIssues,
  readConfig,
  requireAdmin,
} from "./admin-access";
import { asObject, readJson } from "./json-body";
import { currentVersion, saveVersioned } from "./versioned-config";

const WHAT = "gèrent l'identité, les services et le calendrier de la commune";

/** What an admin may set; the id, the version and the author are the server's. */
const IDENTITY_KEYS = [
  "name",
  "address",
  "postcode",
  "town",
  "phone",
  "email",
  "website",
  "logo",
  "tribunal",
  "tribunalAddress",
  "mediator",
  "policy",
  "risk",
  "workstationSecurity",
  "fleetStaleHours",
] as const;
const SERVICE_KEYS = ["name", "address", "postcode", "town", "phone", "email", "hours"] as const;

/**
 * The commune's identity and calendar (one versioned document) and its services' contact details,
 * for the commune's admins. Saving as an admin makes the identity the commune's own: the demo
 * mark goes, and a placeholder left in place then counts as missing on legal documents.
 */
export function addCommuneAdminApi(r: Router, deps: AdminAccess & { now: () => Date }): Router {
  r.get("/api/v1/admin/commune", async (ctx) => {
    await requireAdmin(deps, ctx.req, WHAT);
    const docs = await readConfig(deps);
    const { commune, catalogue } = parseConfigDocs(docs);
    if (!commune) throw new HttpError(404, "La commune n'est pas initialisée.");
    const { agents: _a, ...identity } = commune;
    sendJson(ctx.res, 200, {
      commune: { ...identity, version: currentVersion(docs, COMMUNE_DOC_ID) },
      gaps: identityGaps(commune),
      history: historyOf(docs, COMMUNE_DOC_ID),
      services: (catalogue?.services ?? []).map((s) => ({
        ...s,
        version: currentVersion(docs, serviceDocId(s.id)),
      })),
    });
  });

  r.on("PUT", "/api/v1/admin/commune", async (ctx) => {
    const agent = await requireAdmin(deps, ctx.req, WHAT);
    const body = asObject(await readJson(ctx, 256 * 1024));
    const docs = await readConfig(deps);
    const stored = docs.find((d) => d._id === COMMUNE_DOC_ID);
    if (!stored) throw new HttpError(404, "La commune n'est pas initialisée.");
    checkBaseVersion(body.baseVersion, currentVersion(docs, COMMUNE_DOC_ID), "L'identité de la commune");
    const { demo: _demo, agents: _agents, ...kept } = strip(stored) as Partial<Commune>;
    const candidate: Record<string, unknown> = { ...kept, id: kept.id };
    for (const key of IDENTITY_KEYS) if (key in body) candidate[key] = blankless(body[key]);
    for (const key of IDENTITY_KEYS) if (candidate[key] === undefined) delete candidate[key];
    const parsed = communeSchema.safeParse(candidate);
    if (!parsed.success) throw invalid(plainIssues(parsed.error, body), "Identité invalide.");
    const { version: _v, updatedBy: _b, updatedAt: _t, ...content } = parsed.data;
    const saved = await saveVersioned(
      deps,
      agent,
      docs,
      { _id: COMMUNE_DOC_ID, type: "commune", content },
      deps.now(),
      "L'identité de la commune vient d'être modifiée par quelqu'un d'autre : rechargez-la avant d'enregistrer.",
    );
    const commune = { ...content, ...saved, updatedBy: agent.name };
    sendJson(ctx.res, 200, { commune, gaps: identityGaps(commune) });
  });

  r.on("PUT", "/api/v1/admin/services/:id", async (ctx) => {
    const agent = await requireAdmin(deps, ctx.req, WHAT);
    const id = ctx.params.id ?? "";
    const body = asObject(await readJson(ctx));
    const docs = await readConfig(deps);
    const docId = serviceDocId(id);
    const stored = docs.find((d): d is StoredDoc => d._id === docId && d.type === "service");
    // Creating a service would need its databases and roles (bootstrap): only existing ones change here.
    if (!stored)
      throw new HttpError(404, `Service « ${id} » inconnu : seuls les services existants se modifient ici.`);
    checkBaseVersion(body.baseVersion, currentVersion(docs, docId), "La fiche de ce service");
    const current = serviceSchema.parse(strip(stored));
    const candidate: Record<string, unknown> = { ...current };
    for (const key of SERVICE_KEYS) if (key in body) candidate[key] = blankless(body[key]);
    for (const key of SERVICE_KEYS) if (candidate[key] === undefined) delete candidate[key];
    // The id and the sensitivity decide databases and roles: never changed from here.
    const parsed = serviceSchema.safeParse({ ...candidate, id: current.id, sensitive: current.sensitive });
    if (!parsed.success) throw invalid(plainIssues(parsed.error, body), "Service invalide.");
    const saved = await saveVersioned(
      deps,
      agent,
      docs,
      { _id: docId, type: "service", content: parsed.data },
      deps.now(),
      "Ce service vient d'être modifié par quelqu'un d'autre : rechargez-le avant d'enregistrer.",
    );
    sendJson(ctx.res, 200, { service: { ...parsed.data, ...saved } });
  });
  return r;
}

/** A form's empty text means "none" for an optional field (and stays "" for a required one, to be refused). */
function blankless(v: unknown): unknown {
  if (typeof v === "string") return v.trim() === "" ? undefined : v.trim();
  if (v && typeof v === "object" && !Array.isArray(v) && "name" in v) {
    const m = v as Record<string, unknown>;
    if (typeof m.name === "string" && m.name.trim() === "") return undefined;
    return Object.fromEntries(
      Object.entries(m)
        .map(([k, x]) => [k, blankless(x)])
        .filter(([, x]) => x !== undefined),
    );
  }
  return v;
}
