import { z } from "zod";
import "../../domain/zod-fr";
import { citizenSchema, locationSchema } from "../../domain/request";

/** Files per online submission and bytes per file (the request schema allows up to 10 Mo). */
export const MAX_FILES = 3;
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * R112-9-1: an electronic submission gives name, first name, postal and email addresses. The
 * domain's citizen schema has them optional (a phone call may not), the portal requires them.
 */
export const onlineCitizenSchema = citizenSchema.required({ email: true, address: true });

/**
 * What a citizen sends (JSON API; the HTML form and Open311 are mapped onto it). The rest of
 * the request (channel, tracking number, dates, service, deadline rule) is set by the server.
 * `fields` values are checked afterwards against the démarche's own schema (catalogue data).
 */
export const submissionSchema = z.strictObject({
  demarche: z.string().min(1, "Choisissez une démarche.").max(40),
  fields: z.record(z.string().max(40), z.unknown()).default({}),
  citizen: onlineCitizenSchema,
  location: locationSchema.optional(),
  filedBy: z
    .strictObject({
      name: z.string().min(1, "Ce champ est obligatoire.").max(160, "160 caractères au maximum."),
      relation: z.string().min(1, "Ce champ est obligatoire.").max(80, "80 caractères au maximum."),
    })
    .optional(),
  attachments: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(200, "200 caractères au maximum."),
        contentBase64: z
          .string()
          .max(Math.ceil((MAX_FILE_BYTES * 4) / 3) + 4, "Fichier trop volumineux (5 Mo au maximum).")
          .regex(/^[A-Za-z0-9+/]*={0,2}$/, "Contenu attendu en base64."),
      }),
    )
    .max(MAX_FILES, `${MAX_FILES} fichiers au maximum.`)
    .default([]),
});
export type Submission = z.infer<typeof submissionSchema>;

/**
 * GeoReport v2 has no field for the citizen's postal address: Open311 clients give name, email
 * and phone only. Accepted for signalements (they aim at no decision), email still required.
 */
export const open311SubmissionSchema = submissionSchema.extend({
  citizen: citizenSchema.required({ email: true }),
});
