import { type Acknowledgement, buildAcknowledgement } from "../../../domain/acknowledgement";
import type { Catalogue } from "../../../domain/catalogue";
import { findDemarche, findService } from "../../../domain/catalogue";
import { type Commune, findAgent } from "../../../domain/commune";
import { parisDate } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";

export type AckState =
  | { kind: "ok"; ack: Acknowledgement }
  | { kind: "not_owed" }
  | { kind: "unavailable"; reason: string };

/**
 * The AR of a request with this workstation's catalogue and commune (R112-4: not every démarche
 * owes one). L111-2: the assigned agent as the commune's directory names them, else the service.
 */
export function ackFor(
  request: GuichetRequest,
  catalogue: Catalogue,
  commune: Commune,
  today = new Date(),
): AckState {
  const demarche = findDemarche(catalogue, request.demarche);
  const service = findService(catalogue, request.service);
  if (!demarche || !service)
    return { kind: "unavailable", reason: `${request.demarche} / ${request.service}` };
  if (!demarche.arOwed) return { kind: "not_owed" };
  try {
    return {
      kind: "ok",
      ack: buildAcknowledgement({
        request,
        demarche,
        service,
        commune,
        agent: findAgent(commune, request.assignee || undefined),
        issuedOn: parisDate(today.toISOString()),
      }),
    };
  } catch (err) {
    return { kind: "unavailable", reason: (err as Error).message };
  }
}
