import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import { sniffFileType } from "../../domain/file-type";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";
import type { CouchDb } from "../couch/couch-db";
import { readForm, readFormKeepingFields } from "../http/body";
import { formatSize, HttpError } from "../http/errors";
import type { RateLimiter } from "../http/rate-limit";
import { redirect, send, sendHtml } from "../http/respond";
import { type Ctx, Router } from "../http/router";
import type { AttachmentStore } from "../services/attachment-store";
import { attestationPdf } from "../services/attestation-pdf";
import { findForCitizen, followUpSecretField, NOT_FOUND_MESSAGE } from "../services/follow-up";
import {
  findOnlineDemarche,
  type IncomingFile,
  type IntakeDeps,
  onlineDemarches,
  submit,
} from "../services/intake";
import { implicitAcceptanceBorn, publicView } from "../services/public-view";
import { MAX_FILE_BYTES } from "../services/submission-schema";
import type { Tokens } from "../services/tokens";
import { submissionFromForm } from "./form-model";
import {
  confirmationPage,
  followUpFormPage,
  followUpResultPage,
  formPage,
  homePage,
  messagePage,
} from "./pages";

export type PortalDeps = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  intake: IntakeDeps;
  /** The main database, read as the portal account. */
  mainDb: CouchDb;
  attachments: AttachmentStore;
  tokens: Tokens;
  followUpLimiter: RateLimiter;
  submitLimiter: RateLimiter | null;
  today: () => string;
  followUpMinDelayMs: number;
};

const FORM_LIMIT = MAX_FILE_BYTES + 256 * 1024;
/** Read (and dropped) past FORM_LIMIT so the form can come back filled in; beyond, the socket is closed. */
const DRAIN_LIMIT = 64 * 1024 * 1024;
const tooLargeMessage = () =>
  `Le fichier choisi dépasse ${formatSize(MAX_FILE_BYTES)} : choisissez un fichier plus léger (ou une photo de moindre résolution). Vos autres réponses sont conservées.`;
const CONFIRMATION_TTL = 3600;
const FOLLOW_UP_TTL = 30 * 60;
const KEPT_FILE_TTL = 24 * 3600;

/** The citizens' pages: plain HTML forms, POST then redirect, no script. */
export function portalRouter(deps: PortalDeps): Router {
  const r = new Router();

  r.get("/", (ctx) => sendHtml(ctx.res, 200, homePage(deps.commune(), onlineDemarches(deps.catalogue()))));

  r.get("/demarches/:id", (ctx) => {
    const d = findOnlineDemarche(deps.catalogue(), ctx.params.id ?? "");
    if (!d) throw new HttpError(404, "Cette démarche n'existe pas ou ne peut pas être faite en ligne.");
    sendHtml(ctx.res, 200, formPage(deps.commune(), d, { values: {}, issues: [] }));
  });

  r.post("/demarches/:id", async (ctx) => {
    deps.submitLimiter?.hit(ctx.ip);
    const d = findOnlineDemarche(deps.catalogue(), ctx.params.id ?? "");
    if (!d) throw new HttpError(404, "Cette démarche n'existe pas ou ne peut pas être faite en ligne.");
    const form = await readFormKeepingFields(ctx.req, FORM_LIMIT, DRAIN_LIMIT);
    if (form.tooLarge) {
      // The page comes back filled in: only the file has to be chosen again.
      sendHtml(
        ctx.res,
        422,
        formPage(deps.commune(), d, {
          values: form.fields,
          issues: [{ field: "attachments", message: tooLargeMessage() }],
        }),
      );
      return;
    }
    const uploaded = form.files.find((f) => f.field === "piece");
    const files: IncomingFile[] = [];
    let kept: { sha256: string; name: string } | null = null;
    if (uploaded) files.push({ name: uploaded.name, data: uploaded.data });
    else if (form.fields.piece_recue) {
      kept = keptFile(deps.tokens, form.fields.piece_recue);
      const data = kept ? await deps.attachments.get(kept.sha256) : null;
      if (kept && data) files.push({ name: kept.name, data });
      else kept = null;
    }
    const result = await submit(deps.intake, submissionFromForm(d, form.fields), files);
    if (result.ok) {
      redirect(
        ctx.res,
        `/demarches/envoyee/${deps.tokens.sign("confirmation", result.request.tracking, CONFIRMATION_TTL)}`,
      );
      return;
    }
    // Keep a valid file server-side so the corrected form does not need it again.
    if (uploaded && uploaded.data.length <= MAX_FILE_BYTES) {
      const mime = sniffFileType(uploaded.data);
      if (mime) {
        const stored = await deps.attachments.put(uploaded.data, uploaded.name, mime);
        kept = { sha256: stored.sha256, name: stored.name };
      }
    }
    const keptToken = kept ? deps.tokens.sign("piece", JSON.stringify(kept), KEPT_FILE_TTL) : undefined;
    sendHtml(
      ctx.res,
      422,
      formPage(deps.commune(), d, {
        values: form.fields,
        issues: result.issues,
        keptFile: kept && keptToken ? { name: kept.name, token: keptToken } : undefined,
      }),
    );
  });

  r.get("/demarches/envoyee/:token", (ctx) => {
    const tracking = deps.tokens.verify("confirmation", ctx.params.token ?? "");
    if (!tracking)
      throw new HttpError(404, "Cette page a expiré. Votre numéro de suivi figure dans le courriel reçu.");
    sendHtml(ctx.res, 200, confirmationPage(deps.commune(), formatTrackingNumber(tracking)));
  });

  r.get("/suivi", (ctx) =>
    sendHtml(ctx.res, 200, followUpFormPage(deps.commune(), { values: {}, issues: [] })),
  );

  r.post("/suivi", async (ctx) => {
    deps.followUpLimiter.hit(ctx.ip);
    const form = await readForm(ctx.req, 16 * 1024);
    const found = await findForCitizen(
      deps.mainDb,
      { trackingNumber: form.fields.numero, ...followUpSecretField(form.fields.cle ?? form.fields.email) },
      deps.followUpMinDelayMs,
    );
    if (found.ok) {
      redirect(ctx.res, `/suivi/r/${deps.tokens.sign("suivi", found.request.id, FOLLOW_UP_TTL)}`);
    } else if ("issues" in found) {
      sendHtml(ctx.res, 422, followUpFormPage(deps.commune(), { values: form.fields, issues: found.issues }));
    } else {
      // Nothing typed is echoed back: the answer must be the same whatever the number was.
      sendHtml(
        ctx.res,
        200,
        followUpFormPage(deps.commune(), { values: {}, issues: [], notice: NOT_FOUND_MESSAGE }),
      );
    }
  });

  r.get("/suivi/r/:token", async (ctx) => {
    const request = await followedRequest(ctx);
    const today = deps.today();
    const href = implicitAcceptanceBorn(request, today)
      ? `/suivi/r/${ctx.params.token}/attestation.pdf`
      : null;
    sendHtml(
      ctx.res,
      200,
      followUpResultPage(deps.commune(), publicView(request, deps.catalogue(), today), href),
    );
  });

  r.get("/suivi/r/:token/attestation.pdf", async (ctx) => {
    const request = await followedRequest(ctx);
    const today = deps.today();
    if (!implicitAcceptanceBorn(request, today)) {
      throw new HttpError(404, "Aucune décision implicite d'acceptation n'est née pour cette demande.");
    }
    const pdf = await attestationPdf(request, deps.catalogue(), deps.commune(), today);
    send(ctx.res, 200, "application/pdf", pdf, {
      "Content-Disposition": `attachment; filename="attestation-${request.tracking}.pdf"`,
      "Cache-Control": "no-store",
    });
  });

  async function followedRequest(ctx: Ctx): Promise<GuichetRequest> {
    ctx.res.setHeader("Cache-Control", "no-store");
    const id = deps.tokens.verify("suivi", ctx.params.token ?? "");
    const doc = id ? await deps.mainDb.get<GuichetRequest>(id) : null;
    if (!doc || doc.anonymised) {
      throw new HttpError(
        404,
        "Ce lien de suivi a expiré. Saisissez à nouveau votre numéro et votre adresse électronique.",
      );
    }
    return doc;
  }

  return r;
}

function keptFile(tokens: Tokens, token: string): { sha256: string; name: string } | null {
  const payload = tokens.verify("piece", token);
  if (!payload) return null;
  try {
    const v = JSON.parse(payload) as { sha256?: unknown; name?: unknown };
    return typeof v.sha256 === "string" && typeof v.name === "string"
      ? { sha256: v.sha256, name: v.name }
      : null;
  } catch {
    return null;
  }
}

/** Errors on the portal are pages too, in French, with a way back. */
export function renderPortalError(commune: () => Commune) {
  return (ctx: Ctx, err: HttpError) => {
    const titles: Record<number, string> = {
      400: "Demande incorrecte",
      403: "Action refusée",
      404: "Page introuvable",
      405: "Action impossible",
      413: "Envoi trop volumineux",
      415: "Envoi non accepté",
      429: "Trop de tentatives",
      500: "Erreur du serveur",
    };
    const message =
      err.status === 404 && err.message === "Page introuvable." ? "Cette page n'existe pas." : err.message;
    sendHtml(ctx.res, err.status, messagePage(commune(), titles[err.status] ?? "Erreur", message));
  };
}
