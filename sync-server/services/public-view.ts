import { type Catalogue, findDemarche, findService } from "../../domain/catalogue";
import { parisDate, sortEvents } from "../../domain/history";
import { type GuichetRequest, NO_DUE_DATE } from "../../domain/request";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { PUBLIC_STATUS } from "../../domain/workflow";

/** What a citizen may see of their request once they proved they know its number and email. */
export type PublicView = {
  trackingNumber: string;
  demarche: string;
  status: string;
  service: { name: string; address: string; phone: string; email?: string } | null;
  receivedOn: string;
  updatedOn: string;
  implicitDecision: { outcome: "acceptance" | "rejection"; on: string; born: boolean } | null;
  missingPieces: { pieces: string[]; dueOn?: string } | null;
  answer: string | null;
  attestationAvailable: boolean;
};

/**
 * L232-3: the attestation of an implicit acceptance exists once the SVA date has passed without
 * an express decision (recorded by the deadline watcher, or past and still open).
 */
export function implicitAcceptanceBorn(r: GuichetRequest, today: string): boolean {
  if (r.anonymised || r.rule.kind !== "SVA") return false;
  if (r.implicitDecision === "acceptance") return true;
  // dueOn is the last day of the period: the decision exists from the next day (deadlines.ts).
  return r.outcome === "acceptance" && r.open && r.dueOn !== NO_DUE_DATE && today > r.dueOn;
}

export function publicView(r: GuichetRequest, catalogue: Catalogue, today: string): PublicView {
  const service = findService(catalogue, r.service);
  const events = sortEvents(r.events);
  const lastStatus = [...events].reverse().find((e) => e.kind === "status");
  const waiting = r.status === "incomplete" && lastStatus?.kind === "status" ? lastStatus : null;
  const answered = [...events].reverse().find((e) => e.kind === "status" && e.to === "answered" && e.answer);
  const hasDate = r.outcome !== "none" && r.dueOn !== NO_DUE_DATE;
  const born = r.implicitDecision !== "none" || (hasDate && r.open && today > r.dueOn);
  return {
    trackingNumber: formatTrackingNumber(r.tracking),
    demarche: findDemarche(catalogue, r.demarche)?.label ?? r.subject,
    status: PUBLIC_STATUS[r.status],
    service: service
      ? {
          name: service.name,
          address: service.address,
          phone: service.phone,
          ...(service.email ? { email: service.email } : {}),
        }
      : null,
    receivedOn: r.receivedOn,
    updatedOn: r.updatedAt ? parisDate(r.updatedAt) : r.receivedOn,
    implicitDecision:
      hasDate && r.outcome !== "none" && (r.open || r.implicitDecision !== "none")
        ? { outcome: r.outcome, on: r.dueOn, born }
        : null,
    missingPieces: waiting
      ? {
          pieces: waiting.missingPieces ?? [],
          ...(waiting.piecesDueOn ? { dueOn: waiting.piecesDueOn } : {}),
        }
      : null,
    answer: answered?.kind === "status" ? (answered.answer ?? null) : null,
    attestationAvailable: implicitAcceptanceBorn(r, today),
  };
}
