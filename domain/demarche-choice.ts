import { type Catalogue, findDemarche, findService } from "./catalogue";
import type { GuichetRequest, RequestEvent } from "./request";

type ChoiceBody = Omit<
  Extract<RequestEvent, { kind: "demarche_chosen" }>,
  "id" | "at" | "by" | "workstation" | "kind"
>;

export type ChoiceResult = { ok: true; body: ChoiceBody } | { ok: false; error: string };

/**
 * What choosing `demarcheId` for a request records: the démarche's current version, rule and
 * service. Refused, in French, when the request can no longer move or when the démarche belongs
 * to a sensitive service (its requests live in another database: they are filed there directly).
 */
export function chooseDemarche(
  request: Pick<GuichetRequest, "open" | "anonymised" | "sensitive">,
  catalogue: Catalogue,
  demarcheId: string,
): ChoiceResult {
  if (!request.open || request.anonymised)
    return { ok: false, error: "Cette demande est close : sa démarche ne peut plus changer." };
  const d = findDemarche(catalogue, demarcheId);
  if (!d) return { ok: false, error: "Démarche inconnue du catalogue." };
  const service = findService(catalogue, d.service);
  if (!service) return { ok: false, error: `Le service « ${d.service} » de cette démarche n'existe plus.` };
  if (d.sensitive || service.sensitive || request.sensitive)
    return {
      ok: false,
      error: `« ${d.label} » relève d'un service protégé : enregistrez une nouvelle demande dans ce service.`,
    };
  return { ok: true, body: { demarche: d.id, demarcheVersion: d.version, rule: d.rule, service: d.service } };
}

/** Démarches an agent may choose for a request of the main database. */
export const choosableDemarches = (catalogue: Catalogue) =>
  catalogue.demarches.filter((d) => !d.sensitive && !findService(catalogue, d.service)?.sensitive);
