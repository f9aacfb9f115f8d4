import type { z } from "zod";
import { type Demarche, demarcheIssues, demarcheSchema } from "../../domain/catalogue";
import type { FieldIssue } from "../../domain/zod-fr";
import {
  DEMARCHE_VERSION_PREFIX,
  demarcheDocId,
  demarcheVersionDocId,
  parseArchivedVersions,
  parseConfigDocs,
  type StoredDoc,
  strip,
} from "../couch/config-docs";
import type { Couch } from "../couch/couch";
import { HttpError } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Router } from "../http/router";
import {
  type AdminAccess,
  invalid as invalidData,
  plainIssues,
  readConfig,
  requireAdmin,
  writeAsAgent,
} from "./admin-access";
import { addAgentsAdminApi } from "./agents-admin-api";
import { addCommuneAdminApi } from "./commune-admin-api";
import { asObject, readJson } from "./json-body";
import { addNoticeTemplatesApi } from "./notice-templates-api";

export type AdminApiDeps = AdminAccess & {
  /** Server-admin connection, for the agents' accounts (`_users`). */
  admin: Couch;
  commune: string;
  now?: () => Date;
};

const CATALOGUE = "gèrent le catalogue des démarches";

const DEMARCHE_ID = /^[a-z][a-z0-9_]{1,39}$/;

/**
 * Catalogue administration: admins list and create or change démarches. The server numbers the
 * versions (previous + 1) and archives the replaced one, so a request keeps the fields it was made
 * with; the config follower (server.ts) then hands the new catalogue to every workstation.
 */
export function addAdminApi(r: Router, deps: AdminApiDeps): Router {
  r.get("/api/v1/admin/demarches", async (ctx) => {
    await requireAdmin(deps, ctx.req, CATALOGUE);
    const docs = await readConfig(deps);
    const { catalogue } = parseConfigDocs(docs);
    const archived: Record<string, number[]> = {};
    for (const d of parseArchivedVersions(docs)) archived[d.id] = [...(archived[d.id] ?? []), d.version];
    for (const list of Object.values(archived)) list.sort((a, b) => a - b);
    sendJson(ctx.res, 200, {
      services: catalogue?.services ?? [],
      demarches: catalogue?.demarches ?? [],
      archived,
    });
  });

  r.on("PUT", "/api/v1/admin/demarches/:id", async (ctx) => {
    const agent = await requireAdmin(deps, ctx.req, CATALOGUE);
    const id = ctx.params.id ?? "";
    if (!DEMARCHE_ID.test(id)) {
      throw invalid([
        {
          field: "id",
          message: "Identifiant de démarche invalide : 2 à 40 caractères, minuscules, chiffres et _.",
        },
      ]);
    }
    const body = asObject(await readJson(ctx));
    const { version: _ignored, baseVersion, sensitive: _derived, id: bodyId, ...rest } = body;
    if (bodyId !== undefined && bodyId !== id) {
      throw invalid([{ field: "id", message: "L'identifiant ne correspond pas à l'adresse." }]);
    }

    const docs = await readConfig(deps);
    const services = parseConfigDocs(docs).catalogue?.services ?? [];
    const currentDoc = docs.find((d) => d._id === demarcheDocId(id) && d.type === "demarche");
    const current = currentDoc ? demarcheSchema.parse(strip(currentDoc)) : undefined;
    const archivedVersions = parseArchivedVersions(docs)
      .filter((d) => d.id === id)
      .map((d) => d.version);
    checkBase(baseVersion, current);

    // Never the client's number: one more than any this démarche ever had (archived ones included).
    const version = Math.max(current?.version ?? 0, ...archivedVersions) + 1;
    const service = services.find((s) => s.id === rest.service);
    // Sensitivity follows the service (it decides which database holds the requests).
    const parsed = demarcheSchema.safeParse({ ...rest, id, version, sensitive: service?.sensitive ?? false });
    if (!parsed.success) throw invalid(demarcheFieldIssues(parsed.error, rest));
    const problems = demarcheIssues(parsed.data, services);
    if (problems.length > 0) throw invalid(problems);
    const next = parsed.data;

    if (current && sameContent(current, next)) {
      sendJson(ctx.res, 200, { demarche: current, previousVersion: null, changed: false });
      return;
    }
    if (current) {
      // Archived before the switch: a request of the old version never lacks its definition.
      const archive = {
        _id: demarcheVersionDocId(id, current.version),
        type: "demarche_version",
        ...current,
      };
      await writeAsAgent(deps, agent, archive, "done");
    }
    await writeAsAgent(
      deps,
      agent,
      {
        _id: demarcheDocId(id),
        ...(currentDoc?._rev ? { _rev: currentDoc._rev } : {}),
        type: "demarche",
        ...next,
      },
      "Cette démarche vient d'être modifiée par quelqu'un d'autre : rechargez-la avant d'enregistrer.",
    );
    sendJson(ctx.res, current ? 200 : 201, {
      demarche: next,
      previousVersion: current?.version ?? null,
      changed: true,
    });
  });

  // Every staff member: past versions, for requests made before a change (current ones are in the config).
  r.get("/api/v1/workstation/demarche-versions", async (ctx) => {
    // Read at login, with the configuration, before the workstation has an identity.
    await deps.agents.require(ctx.req, undefined, { unregistered: true });
    const res = await deps.configDb.allDocs<StoredDoc>({
      startkey: DEMARCHE_VERSION_PREFIX,
      endkey: `${DEMARCHE_VERSION_PREFIX}\ufff0`,
      include_docs: true,
    });
    const versions = parseArchivedVersions(res.rows.map((row) => row.doc)).sort(
      (a, b) => a.id.localeCompare(b.id) || a.version - b.version,
    );
    sendJson(ctx.res, 200, { versions });
  });
  const now = deps.now ?? (() => new Date());
  addCommuneAdminApi(r, { ...deps, now });
  addAgentsAdminApi(r, { ...deps, now });
  addNoticeTemplatesApi(r, { ...deps, now });
  return r;
}

const KEY_MESSAGE =
  "Nom technique invalide : une lettre minuscule d'abord, puis lettres, chiffres ou _ (40 au plus), sans espace ni accent.";

/** The shared plain messages, and a field key's format said plainly. */
function demarcheFieldIssues(error: z.ZodError, body: unknown): FieldIssue[] {
  return plainIssues(error, body).map((issue, i) => {
    const raw = error.issues[i];
    const required = issue.message === "Ce champ est obligatoire.";
    if (!required && raw?.code === "invalid_format" && /^fields\.\d+\.key$/.test(issue.field))
      return { ...issue, message: KEY_MESSAGE };
    return issue;
  });
}

const invalid = (errors: FieldIssue[]) => invalidData(errors, "Démarche invalide.");

/** `baseVersion`, when sent, is the version the admin edited: saving over a newer one would lose it. */
function checkBase(baseVersion: unknown, current: Demarche | undefined): void {
  if (baseVersion === undefined || baseVersion === null) return;
  if (typeof baseVersion !== "number" || !Number.isInteger(baseVersion) || baseVersion < 0) {
    throw invalid([{ field: "baseVersion", message: "Version de départ invalide." }]);
  }
  if (baseVersion === 0 && current) {
    throw new HttpError(409, `Une démarche « ${current.label} » existe déjà avec cet identifiant.`);
  }
  if (baseVersion > 0 && baseVersion !== current?.version) {
    throw new HttpError(
      409,
      current
        ? `Cette démarche a été modifiée entre-temps (version ${current.version}) : rechargez-la avant d'enregistrer.`
        : "Cette démarche n'existe plus sur le serveur : rechargez la liste.",
    );
  }
}

function sameContent(a: Demarche, b: Demarche): boolean {
  const { version: _a, ...restA } = a;
  const { version: _b, ...restB } = b;
  return JSON.stringify(restA) === JSON.stringify(restB);
}
