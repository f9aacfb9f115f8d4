import { addDays } from "./calendar";
import { newEventId, parisDate, withEvents } from "./history";
import type { GuichetRequest } from "./request";

/**
 * RGPD retention: past its démarche's retention period after closure, a request keeps only what
 * statistics need (dates, status, démarche, service, tracking number, non-sensitive place) and
 * loses the citizen, free text, files and notes. Anonymisation is a new revision (it replicates
 * like any change) and wins every later merge (history.ts), so a stale offline copy cannot
 * bring the data back.
 */
export const ANONYMISED_NAME = "Anonymisé";

export function anonymise(doc: GuichetRequest, at: string, by: string, workstation: string): GuichetRequest {
  if (doc.anonymised) return doc;
  // The follow-up code goes too: an anonymised request is no longer shown to anyone outside.
  const { filedBy: _f, followUpCode: _c, postmarkOn, location, ...rest } = doc;
  const stripped: GuichetRequest = {
    ...rest,
    ...(postmarkOn ? { postmarkOn } : {}),
    ...(location?.address && !doc.sensitive ? { location: { address: location.address } } : {}),
    subject: "Demande anonymisée",
    fields: {},
    citizen: { firstName: ANONYMISED_NAME, lastName: ANONYMISED_NAME },
    attachments: [],
    anonymised: true,
  };
  return withEvents(stripped, [{ id: newEventId(at, workstation), at, by, workstation, kind: "anonymised" }]);
}

/** The day from which a closed request's personal data must go, or null while it is still open. */
export function retentionEndsOn(doc: GuichetRequest, retentionDays: number): string | null {
  if (doc.open || doc.anonymised) return null;
  // The legal day is the mairie's (a request closed at 00:30 in Paris is stored as the previous day in UTC).
  return addDays(parisDate(doc.updatedAt), retentionDays);
}
