import { createHash, randomBytes } from "node:crypto";
import type { Catalogue, Demarche } from "../../domain/catalogue";
import { demarcheFieldsSchema, findDemarche } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";
import { sniffFileType } from "../../domain/file-type";
import { makeFollowUpCode } from "../../domain/follow-up-code";
import { newEventId, withEvents } from "../../domain/history";
import { newRequest } from "../../domain/new-request";
import type { AttachmentMeta, GuichetRequest } from "../../domain/request";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { type FieldIssue, fieldIssues } from "../../domain/zod-fr";
import type { BulkWriter } from "../couch/bulk-writer";
import { formatSize } from "../http/errors";
import type { AttachmentMime, AttachmentStore } from "./attachment-store";
import { cleanFileName } from "./attachment-store";
import type { BlockCounter } from "./counter";
import { PORTAL_WORKSTATION } from "./server-codes";
import { MAX_FILE_BYTES, MAX_FILES, open311SubmissionSchema, submissionSchema } from "./submission-schema";

export type IncomingFile = { name: string; data: Buffer };

export type IntakeResult =
  | { ok: true; request: GuichetRequest }
  | { ok: false; issues: FieldIssue[]; unknownDemarche?: boolean };

export type IntakeDeps = {
  commune: () => Commune;
  catalogue: () => Catalogue;
  tracking: BlockCounter;
  writer: BulkWriter;
  portalUser: string;
  attachments: AttachmentStore;
  now: () => Date;
  /** Called once the request is stored (the mailer sends the accusés without waiting for the feed). */
  onStored?: (request: GuichetRequest) => void;
};

/**
 * Démarches a citizen may file online: `online` in the catalogue, and not sensitive (sensitive
 * requests live in databases the portal account cannot write, by design).
 */
export const onlineDemarches = (c: Catalogue): Demarche[] =>
  c.demarches.filter((d) => d.online && !d.sensitive);

export function findOnlineDemarche(c: Catalogue, id: string): Demarche | undefined {
  const d = findDemarche(c, id);
  return d?.online && !d.sensitive ? d : undefined;
}

const PLACEHOLDER = makeTrackingNumber(PORTAL_WORKSTATION, 1);

// Built once per démarche (catalogue objects are replaced, never edited, when an admin changes them).
const fieldSchemas = new WeakMap<Demarche, ReturnType<typeof demarcheFieldsSchema>>();
function fieldsSchema(d: Demarche): ReturnType<typeof demarcheFieldsSchema> {
  let schema = fieldSchemas.get(d);
  if (!schema) {
    schema = demarcheFieldsSchema(d);
    fieldSchemas.set(d, schema);
  }
  return schema;
}

/**
 * The one path from a citizen's input to a stored request, for the HTML form, the JSON API and
 * Open311: schema check, the démarche's own fields (catalogue data), files by content, then
 * `newRequest` (the domain's constructor), a tracking number of the portal's sequence, and a
 * grouped write as the portal account. Nothing is stored when anything is wrong.
 */
export async function submit(
  deps: IntakeDeps,
  input: unknown,
  extraFiles: IncomingFile[] = [],
  opts: { requirePostalAddress?: boolean; application?: { keyId: string; name: string } } = {},
): Promise<IntakeResult> {
  const raw = (input && typeof input === "object" ? input : {}) as { demarche?: unknown; fields?: unknown };
  const demarche =
    typeof raw.demarche === "string" ? findOnlineDemarche(deps.catalogue(), raw.demarche) : undefined;
  const parsed = (opts.requirePostalAddress === false ? open311SubmissionSchema : submissionSchema).safeParse(
    input,
  );
  const issues: FieldIssue[] = parsed.success ? [] : fieldIssues(parsed.error);
  if (!demarche) {
    issues.unshift({
      field: "demarche",
      message: "Cette démarche n'existe pas ou ne peut pas être faite en ligne.",
    });
    return { ok: false, issues: dedupe(issues), unknownDemarche: true };
  }
  // The démarche's fields are checked even when the rest failed, so every error shows at once.
  const fieldsInput = parsed.success ? parsed.data.fields : isRecord(raw.fields) ? raw.fields : {};
  const fields = fieldsSchema(demarche).safeParse(fieldsInput);
  if (!fields.success) issues.push(...fieldIssues(fields.error, "fields"));

  const files: { name: string; data: Buffer }[] = [...extraFiles];
  if (parsed.success) {
    for (const a of parsed.data.attachments)
      files.push({ name: a.name, data: Buffer.from(a.contentBase64, "base64") });
  }
  const metas: (AttachmentMeta & { data: Buffer })[] = [];
  if (files.length > MAX_FILES)
    issues.push({ field: "attachments", message: `${MAX_FILES} fichiers au maximum.` });
  for (const f of files.slice(0, MAX_FILES)) {
    const mime = sniffFileType(f.data);
    if (f.data.length > MAX_FILE_BYTES) {
      issues.push({
        field: "attachments",
        message: `Fichier « ${f.name} » trop volumineux (${formatSize(MAX_FILE_BYTES)} au maximum).`,
      });
    } else if (!mime) {
      issues.push({
        field: "attachments",
        message: `Fichier « ${f.name} » : seuls les formats PDF, JPEG et PNG sont acceptés.`,
      });
    } else {
      metas.push(meta(f, mime));
    }
  }
  if (!parsed.success || issues.length > 0) return { ok: false, issues: dedupe(issues) };

  const s = parsed.data;
  // A place typed in the démarche's own "lieu" field is the request's location too: asked once.
  const lieu = fields.success && typeof fields.data.lieu === "string" ? fields.data.lieu : undefined;
  const pinned = s.location?.lat !== undefined && s.location?.lng !== undefined;
  const location = s.location?.address || !lieu || pinned ? s.location : { ...s.location, address: lieu };
  const commune = deps.commune();
  const now = deps.now().toISOString();
  const content = {
    demarche: demarche.id,
    channel: "en_ligne",
    subject: demarche.label,
    fields: s.fields,
    citizen: s.citizen,
    ...(location ? { location } : {}),
    ...(s.filedBy ? { filedBy: s.filedBy } : {}),
    attachments: metas.map(({ data: _d, ...m }) => m),
  };
  const built = newRequest(content, {
    commune: commune.id,
    tracking: PLACEHOLDER,
    demarche,
    policy: commune.policy,
    by: deps.portalUser,
    workstation: PORTAL_WORKSTATION,
    followUpCode: makeFollowUpCode(randomBytes(32)),
    now,
  });
  if (!built.ok) return { ok: false, issues: dedupe(built.issues) };

  for (const m of metas) await deps.attachments.put(m.data, m.name, m.mime);
  const sequence = await deps.tracking.take();
  const tracking = makeTrackingNumber(PORTAL_WORKSTATION, sequence);
  const numbered: GuichetRequest = { ...built.request, id: tracking, tracking };
  const request = opts.application ? filedBy(numbered, opts.application, deps.portalUser, now) : numbered;
  await deps.writer.write({ _id: tracking, ...request });
  for (const m of metas) await deps.attachments.addRef(m.sha256, tracking);
  deps.onStored?.(request);
  return { ok: true, request };
}

/** An Open311 post made with an API key: the application is in the history, for the agents. */
function filedBy(
  request: GuichetRequest,
  app: { keyId: string; name: string },
  by: string,
  at: string,
): GuichetRequest {
  return withEvents(request, [
    {
      id: newEventId(at, PORTAL_WORKSTATION),
      at,
      by,
      workstation: PORTAL_WORKSTATION,
      kind: "application_filed",
      keyId: app.keyId,
      application: app.name,
    },
  ]);
}

function meta(f: IncomingFile, mime: AttachmentMime): AttachmentMeta & { data: Buffer } {
  const sha256 = createHash("sha256").update(f.data).digest("hex");
  return { id: sha256, name: cleanFileName(f.name, mime), mime, size: f.data.length, sha256, data: f.data };
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);

/** One message per field: zod may report the same field twice (missing, then wrong type). */
function dedupe(issues: FieldIssue[]): FieldIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.field}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
