import { z } from "zod";
import "../../domain/zod-fr";
import { WORKSTATION_CHANNELS } from "../../domain/channels";
import { isoDateTime, username, workstationCode } from "../../domain/request";

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

/**
 * An immediate answer at the counter ("réponse immédiate"): counted, never followed up, so no
 * request and no citizen data. Stored in the commune's -log database, checked there by
 * validate_doc_update. Belongs in domain/ once someone owning it takes it.
 */
export const contactLogSchema = z.strictObject({
  type: z.literal("contact_log"),
  at: isoDateTime,
  by: username,
  workstation: workstationCode,
  channel: z.enum(WORKSTATION_CHANNELS),
  reason: z
    .string()
    .min(1, "Ce champ est obligatoire.")
    .max(200, "200 caractères au maximum.")
    .regex(NO_CONTROL, "Caractère non autorisé."),
  /** The agent's own words on the contact, optional. */
  text: z
    .string()
    .min(1)
    .max(500, "500 caractères au maximum.")
    .regex(NO_CONTROL, "Caractère non autorisé.")
    .optional(),
});
export type ContactLog = z.infer<typeof contactLogSchema>;
