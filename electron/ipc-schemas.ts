import { z } from "zod";

export const MAX_DEVICE_NAME = 256;
export const MAX_SUGGESTED_NAME = 255;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused here.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** printAck(options): no other key, and a printer name of reasonable size. */
export const printAckInput = z
  .strictObject(
    {
      silent: z.boolean({ error: "silent : vrai ou faux attendu." }).optional(),
      deviceName: z
        .string({ error: "deviceName : texte attendu." })
        .min(1, "deviceName : nom d'imprimante vide.")
        .max(MAX_DEVICE_NAME, `deviceName : ${MAX_DEVICE_NAME} caractères au maximum.`)
        .refine((v) => !CONTROL.test(v), "deviceName : caractères de contrôle interdits.")
        .optional(),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `option inconnue : ${issue.keys.join(", ")}.`
          : "options attendues.",
    },
  )
  .optional()
  .transform((o) => ({ silent: o?.silent ?? false, ...(o?.deviceName ? { deviceName: o.deviceName } : {}) }));

/** saveAckPdf(suggestedName): a name only; sanitizePdfName makes it a safe file name. */
export const saveAckPdfInput = z
  .string({ error: "nom de fichier (texte) attendu." })
  .max(MAX_SUGGESTED_NAME, `nom de fichier trop long (${MAX_SUGGESTED_NAME} caractères au maximum).`);

/** The first issue, in French, for a one-line error. */
export function firstIssue(error: z.ZodError): string {
  return error.issues[0]?.message ?? "valeur invalide.";
}
