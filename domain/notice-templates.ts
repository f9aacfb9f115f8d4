import { z } from "zod";

/**
 * A démarche's own wording for the notices the citizen receives (domain/notices.ts): a subject and
 * a body per notice kind, with placeholders in braces. What the law requires the notice to say (the
 * effect on the délai, L114-2, L232-3, the voies de recours) and the follow-up line are always added
 * by the server after the body: an admin chooses the wording, never drops a legal mention. Values
 * are inserted as text (emails escape them, letters print them), so citizen text cannot inject markup.
 */
export const NOTICE_KINDS = [
  "pieces",
  "answered",
  "closed",
  "forwarded",
  "cancelled",
  "implicit_acceptance",
  "implicit_rejection",
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

export const NOTICE_KIND_LABELS: Record<NoticeKind, string> = {
  pieces: "Pièces manquantes demandées",
  answered: "Réponse envoyée",
  closed: "Demande close",
  forwarded: "Demande transmise à une autre administration",
  cancelled: "Demande annulée",
  implicit_acceptance: "Décision implicite d'acceptation née",
  implicit_rejection: "Décision implicite de rejet née",
};

/** Placeholders any notice offers; the subject offers only these (no citizen text in mail lists). */
const COMMON = ["numero", "demarche", "recue_le", "date", "commune"] as const;
/** Placeholders of one kind's body, beyond the common ones. */
const BY_KIND: Record<NoticeKind, readonly string[]> = {
  pieces: ["pieces", "date_limite"],
  answered: ["reponse"],
  closed: [],
  forwarded: ["administration"],
  cancelled: [],
  implicit_acceptance: ["date_decision"],
  implicit_rejection: ["date_decision"],
};

export const PLACEHOLDER_LABELS: Record<string, string> = {
  numero: "numéro de suivi",
  demarche: "nom de la démarche",
  recue_le: "date de réception de la demande",
  date: "date de l'événement",
  commune: "nom de la commune",
  pieces: "liste des pièces manquantes",
  date_limite: "date limite pour les produire",
  reponse: "réponse de la mairie",
  administration: "administration destinataire",
  date_decision: "date de naissance de la décision implicite",
};

export const placeholdersOf = (kind: NoticeKind, part: "subject" | "body"): readonly string[] =>
  part === "subject" ? COMMON : [...COMMON, ...BY_KIND[kind]];

const PLACEHOLDER = /\{([^{}]*)\}/g;

function unknownPlaceholders(text: string, allowed: readonly string[]): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? "").filter((p) => !allowed.includes(p));
}

const templateSchema = (kind: NoticeKind) =>
  z
    .strictObject({
      subject: z.string().trim().min(1, "Indiquez l'objet du courriel.").max(150),
      body: z.string().trim().min(1, "Indiquez le texte de l'avis.").max(4000),
    })
    .superRefine((t, ctx) => {
      for (const part of ["subject", "body"] as const) {
        const bad = unknownPlaceholders(t[part], placeholdersOf(kind, part));
        if (bad.length > 0)
          ctx.addIssue({
            code: "custom",
            path: [part],
            message: `Champ inconnu ${bad.map((b) => `{${b}}`).join(", ")} : champs possibles ${placeholdersOf(
              kind,
              part,
            )
              .map((p) => `{${p}}`)
              .join(", ")}.`,
          });
      }
    });

export const noticeTemplatesSchema = z.strictObject(
  Object.fromEntries(NOTICE_KINDS.map((k) => [k, templateSchema(k).optional()])) as {
    [K in NoticeKind]: z.ZodOptional<ReturnType<typeof templateSchema>>;
  },
);
export type NoticeTemplates = z.infer<typeof noticeTemplatesSchema>;
export type NoticeTemplate = { subject: string; body: string };

/** Fills the placeholders (values as given: escaping is the output's job) and splits the paragraphs. */
export function fillTemplate(text: string, values: Record<string, string>): string[] {
  return text
    .replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole)
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
}
