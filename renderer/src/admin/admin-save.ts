import type { FieldIssue } from "../../../domain/zod-fr";
import { NetworkError } from "../../sync/http";
import { ApiError } from "../../sync/server-api";
import { CONFIG_STALE_EVENT } from "../settings/use-config-refresh";
import { frCommune as t } from "./fr-commune-admin";

export type SaveOutcome = { ok: true } | { ok: false; issues: FieldIssue[]; message: string | null };

/** Runs a save; a refusal becomes the fields at fault (422) or one French message. */
export async function trySave(work: () => Promise<unknown>): Promise<SaveOutcome> {
  try {
    await work();
    return { ok: true };
  } catch (err) {
    if (err instanceof ApiError && err.status === 422 && err.errors.length > 0)
      return { ok: false, issues: err.errors, message: t.refused(err.reason) };
    if (err instanceof NetworkError || err instanceof TypeError)
      return { ok: false, issues: [], message: t.offline };
    return { ok: false, issues: [], message: err instanceof ApiError ? t.refused(err.reason) : String(err) };
  }
}

/** The first message for each field, for the inputs. */
export function byField(issues: FieldIssue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) out[i.field] ??= i.message;
  return out;
}

/**
 * After a save: this workstation reads its configuration again without waiting for the next
 * period (the server's own reload, from its changes feed, takes a moment: hence the delay).
 */
export function configChanged(): void {
  setTimeout(() => window.dispatchEvent(new Event(CONFIG_STALE_EVENT)), 1_000);
}
