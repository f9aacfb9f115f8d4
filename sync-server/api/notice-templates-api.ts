import { findDemarche } from "../../domain/catalogue";
import {
  NOTICE_KIND_LABELS,
  NOTICE_KINDS,
  noticeTemplatesSchema,
  PLACEHOLDER_LABELS,
  placeholdersOf,
} from "../../domain/notice-templates";
import { historyOf, noticesDocId, parseConfigDocs } from "../couch/config-docs";
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

const WHAT = "modifient les courriers envoyés aux usagers";

/**
 * A démarche's notice templates, for the commune's admins: read with what each kind may say, and
 * saved whole (a kind left out goes back to the default wording), versioned in -config like the
 * commune's identity. The outbox and the letters read them from there (server.ts follows -config).
 */
export function addNoticeTemplatesApi(r: Router, deps: AdminAccess & { now: () => Date }): Router {
  r.get("/api/v1/admin/demarches/:id/notices", async (ctx) => {
    await requireAdmin(deps, ctx.req, WHAT);
    const id = ctx.params.id ?? "";
    const docs = await readConfig(deps);
    const { catalogue, noticeTemplates } = parseConfigDocs(docs);
    if (!catalogue || !findDemarche(catalogue, id)) throw new HttpError(404, `Démarche « ${id} » inconnue.`);
    const docId = noticesDocId(id);
    sendJson(ctx.res, 200, {
      demarche: id,
      templates: noticeTemplates[id] ?? {},
      version: docs.some((d) => d._id === docId) ? currentVersion(docs, docId) : 0,
      history: historyOf(docs, docId),
      kinds: NOTICE_KINDS.map((kind) => ({
        kind,
        label: NOTICE_KIND_LABELS[kind],
        subject: placeholdersOf(kind, "subject"),
        body: placeholdersOf(kind, "body"),
      })),
      placeholders: PLACEHOLDER_LABELS,
    });
  });

  r.on("PUT", "/api/v1/admin/demarches/:id/notices", async (ctx) => {
    const agent = await requireAdmin(deps, ctx.req, WHAT);
    const id = ctx.params.id ?? "";
    const body = asObject(await readJson(ctx, 128 * 1024));
    const docs = await readConfig(deps);
    const { catalogue } = parseConfigDocs(docs);
    if (!catalogue || !findDemarche(catalogue, id)) throw new HttpError(404, `Démarche « ${id} » inconnue.`);
    const docId = noticesDocId(id);
    const exists = docs.some((d) => d._id === docId);
    checkBaseVersion(
      body.baseVersion,
      exists ? currentVersion(docs, docId) : 0,
      "Les courriers de cette démarche",
    );
    const parsed = noticeTemplatesSchema.safeParse(body.templates ?? {});
    if (!parsed.success) throw invalid(plainIssues(parsed.error, body.templates), "Modèles invalides.");
    const saved = await saveVersioned(
      deps,
      agent,
      docs,
      { _id: docId, type: "notice_templates", content: { demarche: id, templates: parsed.data } },
      deps.now(),
      "Les courriers de cette démarche viennent d'être modifiés par quelqu'un d'autre : rechargez-les avant d'enregistrer.",
    );
    sendJson(ctx.res, 200, { demarche: id, templates: parsed.data, ...saved });
  });
  return r;
}
