/**
 * An error meant for the client: a status and a French message (plus the fields at fault).
 * Anything else that escapes a handler is a bug and becomes a plain 500 without details.
 */
export type FieldError = { field: string; message: string };

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [{ field: "", message }],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field = ""): HttpError =>
  new HttpError(400, message, [{ field, message }]);

export const unsupportedMediaType = (accepted: readonly string[]): HttpError =>
  new HttpError(415, `Type de contenu non accepté : envoyez ${accepted.join(" ou ")}.`);

export const payloadTooLarge = (limit: number): HttpError =>
  new HttpError(413, `Envoi trop volumineux : ${formatSize(limit)} au maximum.`);

export const tooManyRequests = (retryAfterSeconds: number): HttpError =>
  new HttpError(
    429,
    `Trop de tentatives depuis votre connexion. Patientez ${retryAfterSeconds} secondes avant de réessayer.`,
    undefined,
    { "Retry-After": String(retryAfterSeconds) },
  );

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024)
    return `${(bytes / (1024 * 1024)).toLocaleString("fr-FR", { maximumFractionDigits: 1 })} Mo`;
  return `${Math.ceil(bytes / 1024)} ko`;
}
