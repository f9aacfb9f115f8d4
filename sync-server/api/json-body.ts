import { parseJson, readBody, requireMediaType } from "../http/body";
import { badRequest, type HttpError } from "../http/errors";
import { sendJson } from "../http/respond";
import type { Ctx } from "../http/router";
import { MAX_FILE_BYTES, MAX_FILES } from "../services/submission-schema";

export const JSON_LIMIT = 64 * 1024;
export const JSON_WITH_FILES_LIMIT = JSON_LIMIT + MAX_FILES * Math.ceil((MAX_FILE_BYTES * 4) / 3);

/** A JSON body: 415 unless announced as JSON, 413 past `limit`, 400 unless it parses. */
export async function readJson(ctx: Ctx, limit = JSON_LIMIT): Promise<unknown> {
  requireMediaType(ctx.req, ["application/json"]);
  return parseJson(await readBody(ctx.req, limit));
}

export function asObject(v: unknown): Record<string, unknown> {
  if (!v || typeof v !== "object" || Array.isArray(v)) throw badRequest("Un objet JSON est attendu.");
  return v as Record<string, unknown>;
}

/** API errors: `{ errors: [{ field, message }] }`, French, the status from the HttpError. */
export function renderApiError(ctx: Ctx, err: HttpError): void {
  sendJson(ctx.res, err.status, { errors: err.errors });
}
