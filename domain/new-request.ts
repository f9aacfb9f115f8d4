import { type Demarche, demarcheFieldsSchema } from "./catalogue";
import type { DeadlinePolicy } from "./deadlines";
import { newEventId, parisDate, project } from "./history";
import { type GuichetRequest, type RequestContent, requestContentSchema, SCHEMA_VERSION } from "./request";
import { type FieldIssue, fieldIssues } from "./zod-fr";

export type NewRequestContext = {
  commune: string;
  tracking: string;
  demarche: Demarche;
  policy: DeadlinePolicy;
  by: string;
  workstation: string;
  /** A new follow-up code (makeFollowUpCode); kept when a request is checked again. */
  followUpCode?: string;
  /** When it was recorded (ISO instant). */
  now: string;
  /** When the mairie received it, if earlier (a letter opened today arrived yesterday). */
  receivedAt?: string;
};

export type NewRequestResult = { ok: true; request: GuichetRequest } | { ok: false; issues: FieldIssue[] };

/** Validates what a person gave and builds the stored request: one path for every door. */
export function newRequest(input: unknown, ctx: NewRequestContext): NewRequestResult {
  const parsed = requestContentSchema.safeParse(input);
  if (!parsed.success) return { ok: false, issues: fieldIssues(parsed.error) };
  const content: RequestContent = parsed.data;
  const issues: FieldIssue[] = [];
  if (content.demarche !== ctx.demarche.id)
    issues.push({ field: "demarche", message: "Démarche incohérente." });
  const fields = demarcheFieldsSchema(ctx.demarche).safeParse(content.fields);
  if (!fields.success) issues.push(...fieldIssues(fields.error, "fields"));
  // A place is an address and/or coordinates (a pin on the portal's map).
  const hasCoordinates = content.location?.lat !== undefined && content.location?.lng !== undefined;
  if (ctx.demarche.needsLocation && !content.location?.address?.trim() && !hasCoordinates)
    issues.push({ field: "location.address", message: "Indiquez le lieu concerné." });
  if (content.postmarkOn && content.channel !== "courrier")
    issues.push({
      field: "postmarkOn",
      message: "La date du cachet de la poste ne concerne que le courrier.",
    });
  const receivedAt = ctx.receivedAt ?? ctx.now;
  const receivedOn = parisDate(receivedAt);
  if (content.postmarkOn && content.postmarkOn > receivedOn)
    issues.push({
      field: "postmarkOn",
      message: "Le cachet de la poste ne peut pas être postérieur à la réception.",
    });
  if (issues.length > 0) return { ok: false, issues };

  const creation = {
    ...content,
    fields: fields.success ? (fields.data as RequestContent["fields"]) : content.fields,
    id: ctx.tracking,
    type: "request" as const,
    schemaVersion: SCHEMA_VERSION as typeof SCHEMA_VERSION,
    commune: ctx.commune,
    tracking: ctx.tracking,
    ...(ctx.followUpCode ? { followUpCode: ctx.followUpCode } : {}),
    demarcheVersion: ctx.demarche.version,
    rule: ctx.demarche.rule,
    policy: ctx.policy,
    sensitive: ctx.demarche.sensitive,
    receivedAt,
    receivedOn,
    createdBy: ctx.by,
    workstation: ctx.workstation,
    anonymised: false,
    events: [
      {
        id: newEventId(ctx.now, ctx.workstation),
        at: ctx.now,
        by: ctx.by,
        workstation: ctx.workstation,
        kind: "created" as const,
        service: ctx.demarche.service,
      },
    ],
  };
  return { ok: true, request: { ...creation, ...project(creation) } };
}
