import { useQuery, useQueryClient } from "@tanstack/react-query";
import { assignableTo } from "../../../domain/commune";
import { fr } from "../i18n/fr";
import { requireSigner, type Signer, useWorkstation } from "../shared/app-context";
import type { ReassignPlan } from "./reassign";
import { type ApplyResult, applyPlan, knownAgents } from "./supervisor-data";

/**
 * Agent names to suggest: the directory's agents of the service (the only ones the server accepts
 * for an assignment), those seen in the service's open requests (an absent agent may have left the
 * directory), and the supervisor. Read only while the form is in use (`enabled`): it scans up to
 * 2,000 requests.
 */
export function useKnownAgents(service: string | undefined, enabled: boolean): string[] {
  const { data, session, commune } = useWorkstation();
  const directory = service ? (assignableTo(commune, service) ?? []).map((a) => a.username) : [];
  // Under "requests": re-read when the replica changes, like the lists.
  const q = useQuery({
    queryKey: ["requests", "agents", service ?? ""],
    queryFn: () => knownAgents(data, service),
    enabled,
  });
  return [...new Set([...directory, ...(q.data ?? []), session.username])].sort((a, b) =>
    a.localeCompare(b, "fr"),
  );
}

/** Who signs the events, as use-add-events does for one request. */
export function useSigner(): Signer {
  return requireSigner(useWorkstation());
}

/** Writes a plan through the repository, then refreshes the lists. */
export function useApplyPlan(): (plan: ReassignPlan) => Promise<ApplyResult> {
  const { data } = useWorkstation();
  const client = useQueryClient();
  return async (plan) => {
    const result = await applyPlan(data.repo, plan);
    await client.invalidateQueries({ queryKey: ["requests"] });
    return result;
  };
}

/** "3 demandes réattribuées. 1 déjà close, non modifiée." */
export function outcomeText(plan: ReassignPlan, result: ApplyResult): string {
  const S = fr.supervisor;
  const count = (reason: keyof typeof S.skipped) => plan.skipped.filter((s) => s.reason === reason).length;
  const parts = (Object.keys(S.skipped) as (keyof typeof S.skipped)[])
    .filter((reason) => count(reason) > 0)
    .map((reason) => S.skipped[reason](count(reason)));
  if (result.failed.length > 0) parts.push(S.failed(result.failed.length, result.failed[0]!.message));
  return [S.done(result.done.length), parts.length > 0 ? `${parts.join(" ; ")}.` : ""]
    .filter(Boolean)
    .join(" ");
}
