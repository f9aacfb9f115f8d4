import { z } from "zod";
import "./zod-fr";
import { deadlineRuleSchema } from "./catalogue";
import { CHANNELS } from "./channels";
import { FOLLOW_UP_CODE_PATTERN } from "./follow-up-code";
import { STATUSES } from "./workflow";

/**
 * The one schema of a stored request (CouchDB document, RxDB document, portal input once
 * completed by the server). Kept free of transforms so that z.toJSONSchema can turn it into
 * the JSON Schema that CouchDB's validate_doc_update checks.
 */
export const SCHEMA_VERSION = 1;

/** Sorts after every real date, so "soonest deadline first" lists put requests with none last. */
export const NO_DUE_DATE = "9999-12-31";

export const isoDate = z.iso.date({ error: "Date invalide (format attendu : AAAA-MM-JJ)." });
export const isoDateTime = z.iso.datetime({ offset: true, error: "Horodatage invalide." });
export const username = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9][a-z0-9._@-]*$/, "Identifiant invalide.");
export const workstationCode = z.string().regex(/^[0-9A-Z]{3}$/, "Code de poste invalide.");
export const demarcheId = z.string().regex(/^[a-z][a-z0-9_]{1,39}$/);
export const trackingNumber = z.string().regex(/^[0-9A-Z]{8}$/, "Numéro de suivi invalide.");

// Forbids CR/LF and other control characters: they would let a name or an email inject mail headers.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;
const line = (max: number) =>
  z.string().max(max, `${max} caractères au maximum.`).regex(NO_CONTROL, "Caractère non autorisé.");
const requiredLine = (max: number) => line(max).min(1, "Ce champ est obligatoire.");

export const citizenSchema = z.strictObject({
  firstName: requiredLine(80),
  lastName: requiredLine(80),
  email: z.email({ error: "Adresse électronique invalide." }).max(200).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 .()-]{6,20}$/, "Numéro de téléphone invalide.")
    .optional(),
  address: z
    .strictObject({
      line: requiredLine(200),
      postcode: z.string().regex(/^\d{5}$/, "Code postal à 5 chiffres."),
      city: requiredLine(100),
    })
    .optional(),
});
export type Citizen = z.infer<typeof citizenSchema>;

export const locationSchema = z.strictObject({
  address: line(300).optional(),
  lat: z.number().min(-90).max(90).optional(),
  lng: z.number().min(-180).max(180).optional(),
});

export const attachmentSchema = z.strictObject({
  id: z.string().regex(/^[a-zA-Z0-9_-]{8,64}$/),
  name: line(200),
  mime: z.enum(["application/pdf", "image/jpeg", "image/png"]),
  size: z
    .number()
    .int()
    .min(1)
    .max(10 * 1024 * 1024),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AttachmentMeta = z.infer<typeof attachmentSchema>;

export const deadlinePolicySchema = z.strictObject({
  shiftToWorkingDay: z.boolean(),
  /** Legacy, ignored: the silence délai always runs from receipt (deadlines.ts). */
  startFrom: z.enum(["received", "postmark"]).optional(),
  calendar: z.strictObject({
    region: z.enum(["metropole", "alsace-moselle"]),
    extraClosedDays: z.array(isoDate).max(366).optional(),
  }),
});

/** Longest text of a message kept in a request's history (a longer mail is cut, and says so). */
export const MESSAGE_TEXT_MAX = 8000;

const fieldValue = z.union([z.string().max(5000), z.number(), z.boolean()]);

const eventBase = {
  id: z.string().regex(/^[0-9a-z]{1,12}-[0-9A-Z]{3}-[0-9a-z]{1,12}$/),
  at: isoDateTime,
  by: username,
  workstation: workstationCode,
};
const status = z.enum(STATUSES);

/** History events: immutable once written; the request's state is derived from them (history.ts). */
export const eventSchema = z.discriminatedUnion("kind", [
  z.strictObject({ ...eventBase, kind: z.literal("created"), service: z.string().min(1).max(40) }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("status"),
    from: status,
    to: status,
    reason: line(500).optional(),
    missingPieces: z.array(requiredLine(200)).max(20).optional(),
    piecesDueOn: isoDate.optional(),
    answer: z.string().max(4000).optional(),
    forwardedTo: line(200).optional(),
    /** Leaving « incomplete »: the day the pieces reached the mairie (a mail's arrival), if before this event. */
    piecesReceivedOn: isoDate.optional(),
  }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("assigned"),
    service: z.string().min(1).max(40),
    assignee: z.string().max(80),
  }),
  /**
   * An agent chose the démarche of a request that arrived without one (the email door files mails
   * as « demande générale »): the request takes its service and deadline rule (history.ts
   * `chosenDemarche`), the délai still running from the date of receipt.
   */
  z.strictObject({
    ...eventBase,
    kind: z.literal("demarche_chosen"),
    demarche: demarcheId,
    demarcheVersion: z.number().int().min(1),
    rule: deadlineRuleSchema,
    service: z.string().min(1).max(40),
  }),
  z.strictObject({ ...eventBase, kind: z.literal("note"), text: z.string().min(1).max(4000) }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("ar_sent"),
    via: z.enum(["email", "print"]),
    to: z.string().max(200).optional(),
  }),
  z.strictObject({ ...eventBase, kind: z.literal("registration_sent"), to: z.string().max(200) }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("implicit_decision"),
    outcome: z.enum(["acceptance", "rejection"]),
    dueOn: isoDate,
  }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("deadline_flagged"),
    dueOn: isoDate,
    level: z.enum(["soon", "urgent", "overdue"]),
  }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("duplicate_linked"),
    otherId: trackingNumber,
  }),
  z.strictObject({ ...eventBase, kind: z.literal("anonymised") }),
  /** Posted through Open311 by this application, with its API key (the server only, at creation). */
  z.strictObject({
    ...eventBase,
    kind: z.literal("application_filed"),
    keyId: z.string().regex(/^[0-9a-f]{12}$/),
    application: requiredLine(80),
  }),
  /** An agent checked this photo (no face, plate or personal data): Open311 may show it (media_url). */
  z.strictObject({
    ...eventBase,
    kind: z.literal("media_published"),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  // The email door (conversation.ts): a citizen's mail that joined this request, an agent's answer
  // (recorded first, sent by the server's outbox), and the outbox's proof that it left.
  z.strictObject({
    ...eventBase,
    kind: z.literal("message_in"),
    messageId: line(300),
    from: z.string().max(200),
    subject: line(200),
    text: z.string().max(MESSAGE_TEXT_MAX),
    attachments: z.array(attachmentSchema).max(10),
  }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("message_out"),
    to: z.string().max(200),
    subject: line(200),
    text: z.string().min(1).max(MESSAGE_TEXT_MAX),
  }),
  z.strictObject({
    ...eventBase,
    kind: z.literal("message_sent"),
    ref: z.string().max(40),
    to: z.string().max(200),
  }),
]);
export type RequestEvent = z.infer<typeof eventSchema>;
export type EventKind = RequestEvent["kind"];

/** What a person (agent or citizen) gives; the rest is set by whoever stores the request. */
export const requestContentSchema = z.strictObject({
  demarche: demarcheId,
  channel: z.enum(CHANNELS),
  subject: requiredLine(200),
  fields: z.record(z.string().regex(/^[a-z][a-zA-Z0-9_]{0,39}$/), fieldValue),
  citizen: citizenSchema,
  /** Someone filing on the citizen's behalf (family, social worker, the agent). */
  filedBy: z.strictObject({ name: requiredLine(160), relation: requiredLine(80) }).optional(),
  location: locationSchema.optional(),
  /** Courrier: both the postmark and the day the mairie received it (L112-1). */
  postmarkOn: isoDate.optional(),
  attachments: z.array(attachmentSchema).max(10),
});
export type RequestContent = z.infer<typeof requestContentSchema>;

/** Fields computed from the events by `project` (history.ts), stored for indexes and checked on write. */
export const projectionShape = {
  status,
  service: z.string().min(1).max(40),
  assignee: z.string().max(80),
  open: z.boolean(),
  dueOn: isoDate,
  outcome: z.enum(["acceptance", "rejection", "none"]),
  implicitDecision: z.enum(["acceptance", "rejection", "none"]),
  arSent: z.boolean(),
  updatedAt: isoDateTime,
  nameKey: z.string().max(200),
};

export const requestSchema = z.strictObject({
  ...requestContentSchema.shape,
  id: trackingNumber,
  type: z.literal("request"),
  schemaVersion: z.literal(SCHEMA_VERSION),
  commune: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/),
  tracking: trackingNumber,
  /** Second secret for following the request without an email (follow-up-code.ts); absent on old requests. */
  followUpCode: z.string().regex(FOLLOW_UP_CODE_PATTERN).optional(),
  demarcheVersion: z.number().int().min(1),
  rule: deadlineRuleSchema,
  policy: deadlinePolicySchema,
  sensitive: z.boolean(),
  receivedAt: isoDateTime,
  receivedOn: isoDate,
  createdBy: username,
  workstation: workstationCode,
  anonymised: z.boolean(),
  events: z.array(eventSchema).min(1).max(500),
  ...projectionShape,
});
export type GuichetRequest = z.infer<typeof requestSchema>;
export type Projection = Pick<GuichetRequest, keyof typeof projectionShape>;
