import type { Demarche } from "../../../domain/catalogue";
import { makeFollowUpCode } from "../../../domain/follow-up-code";
import { parisDate } from "../../../domain/history";
import { type NewRequestContext, newRequest } from "../../../domain/new-request";
import { type GuichetRequest, requestContentSchema } from "../../../domain/request";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { type FieldIssue, fieldIssues } from "../../../domain/zod-fr";
import { storeAttachments } from "../../db/attachments";
import { nextTrackingNumber } from "../../db/tracking-sequence";
import { fr } from "../i18n/fr";
import type { Workstation } from "../shared/app-context";
import { type FormState, hasPlaceField, PLACE_FIELD, toRequestInput } from "./form-state";

export type SaveResult = { ok: true; request: GuichetRequest } | { ok: false; issues: FieldIssue[] };

/** A letter opened today may have arrived earlier: noon UTC is that same day in Paris, summer or winter. */
/**
 * Checking the form runs the domain's newRequest, which wants a well-formed signer and number:
 * these are never stored (saving draws the workstation's own, or says it has none yet).
 */
const CHECK_ONLY = { code: "000", tracking: makeTrackingNumber("000", 1) };

const dayToInstant = (day: string) => new Date(`${day}T12:00:00Z`).toISOString();

/** Issues about the place go to the field the agent typed it in. */
function relocate(issues: FieldIssue[], d: Demarche): FieldIssue[] {
  if (!hasPlaceField(d)) return issues;
  return issues
    .map((i) => (i.field === "location.address" ? { ...i, field: `fields.${PLACE_FIELD}` } : i))
    .filter((i, n, all) => all.findIndex((j) => j.field === i.field) === n);
}

/** Checks the form the way the domain does, without using up a tracking number. */
export function checkForm(
  ws: Workstation,
  form: FormState,
  d: Demarche | undefined,
  now: string,
): SaveResult {
  const input = toRequestInput(form, d);
  const issues: FieldIssue[] = [];
  const today = parisDate(now);
  const courrier = form.channel === "courrier";
  if (courrier && form.receivedOn > today)
    issues.push({ field: "receivedOn", message: fr.newRequest.receivedInFuture });
  if (!d) {
    const parsed = requestContentSchema.safeParse(input);
    const rest = parsed.success ? [] : fieldIssues(parsed.error).filter((i) => i.field !== "demarche");
    return {
      ok: false,
      issues: [{ field: "demarche", message: fr.newRequest.demarcheRequired }, ...issues, ...rest],
    };
  }
  const res = newRequest(input, context(ws, d, CHECK_ONLY.code, CHECK_ONLY.tracking, now, form));
  if (!res.ok) return { ok: false, issues: relocate([...issues, ...res.issues], d) };
  if (issues.length > 0) return { ok: false, issues };
  return res;
}

function context(
  ws: Workstation,
  d: Demarche,
  workstation: string,
  tracking: string,
  now: string,
  form: FormState,
): NewRequestContext {
  const received = form.channel === "courrier" && form.receivedOn && form.receivedOn < parisDate(now);
  return {
    commune: ws.commune.id,
    tracking,
    demarche: d,
    policy: ws.commune.policy,
    by: ws.session.username,
    workstation,
    now,
    ...(received ? { receivedAt: dayToInstant(form.receivedOn) } : {}),
  };
}

/** Validates, numbers, stores locally (the network is never awaited), keeps the files. */
export async function saveNewRequest(
  ws: Workstation,
  form: FormState,
  d: Demarche | undefined,
): Promise<SaveResult> {
  const now = new Date().toISOString();
  const checked = checkForm(ws, form, d, now);
  if (!checked.ok || !d) return checked;
  const code = ws.workstationCode;
  if (!code) return { ok: false, issues: [{ field: "", message: fr.newRequest.noWorkstationCode }] };
  const tracking = await nextTrackingNumber(ws.data, code);
  const followUpCode = makeFollowUpCode(crypto.getRandomValues(new Uint8Array(32)));
  const res = newRequest(toRequestInput(form, d), {
    ...context(ws, d, code, tracking, now, form),
    followUpCode,
  });
  if (!res.ok) return res;
  const stored = await ws.data.repo.insert(res.request);
  await storeAttachments(ws.data, stored.id, form.attachments);
  return { ok: true, request: stored };
}
