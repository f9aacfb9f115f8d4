import type { Demarche } from "../../../domain/catalogue";
import { withEvents } from "../../../domain/history";
import { newRequest } from "../../../domain/new-request";
import type { GuichetRequest } from "../../../domain/request";
import type { FieldIssue } from "../../../domain/zod-fr";
import type { Workstation } from "../shared/app-context";
import { type FormState, toRequestInput } from "./form-state";

export type CorrectResult = { ok: true; request: GuichetRequest } | { ok: false; issues: FieldIssue[] };

/**
 * A request the server refused, corrected: same number, same history, new content checked by the
 * same rules as a new request, then written with requestsRepo.replace (pushed again).
 */
export async function correctRequest(
  ws: Workstation,
  original: GuichetRequest,
  form: FormState,
  d: Demarche,
): Promise<CorrectResult> {
  const input = toRequestInput({ ...form, attachments: [] }, d);
  const checked = newRequest(input, {
    commune: original.commune,
    tracking: original.tracking,
    demarche: d,
    policy: original.policy,
    by: original.createdBy,
    workstation: original.workstation,
    now: original.receivedAt,
  });
  if (!checked.ok) return checked;
  const { citizen, subject, fields, filedBy, location, postmarkOn } = checked.request;
  const { filedBy: _f, location: _l, postmarkOn: _p, ...rest } = original;
  const corrected = withEvents(
    {
      ...rest,
      citizen,
      subject,
      fields,
      ...(filedBy ? { filedBy } : {}),
      ...(location ? { location } : {}),
      ...(postmarkOn ? { postmarkOn } : {}),
    },
    [],
  );
  return { ok: true, request: await ws.data.repo.replace(corrected) };
}
