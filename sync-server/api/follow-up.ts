import { createHash, timingSafeEqual } from "node:crypto";
import type { GuichetRequest } from "../../domain/request";
import { parseTrackingNumber } from "../../domain/tracking-number";
import type { FieldIssue } from "../../domain/zod-fr";
import type { CouchDb } from "../http/couch-db";

export const NOT_FOUND_MESSAGE =
  "Aucune demande ne correspond à ce numéro de suivi et à cette adresse électronique. Vérifiez-les et réessayez.";

export type FollowUpResult =
  | { ok: true; request: GuichetRequest }
  /** Only about the shape of what was typed: says nothing of what the database holds. */
  | { ok: false; issues: FieldIssue[] }
  | { ok: false; notFound: true };

const digest = (email: string) => createHash("sha256").update(email.trim().toLowerCase()).digest();

/**
 * Looks a request up for the citizen: the number AND the email given at submission. A wrong
 * email, an unknown number, an anonymised request all give the same answer, after the same
 * minimum time (so the database's speed on either path does not tell them apart).
 */
export async function findForCitizen(
  db: CouchDb,
  input: { trackingNumber?: unknown; email?: unknown },
  minDelayMs: number,
): Promise<FollowUpResult> {
  const started = Date.now();
  const issues: FieldIssue[] = [];
  const number = typeof input.trackingNumber === "string" ? input.trackingNumber : "";
  const email = typeof input.email === "string" ? input.email : "";
  const parsed = parseTrackingNumber(number.slice(0, 40));
  if (!parsed.ok) issues.push({ field: "trackingNumber", message: parsed.error });
  if (!email.trim())
    issues.push({
      field: "email",
      message: "Veuillez saisir l'adresse électronique donnée lors de la demande.",
    });
  else if (email.length > 200) issues.push({ field: "email", message: "200 caractères au maximum." });
  if (!parsed.ok || issues.length > 0) return { ok: false, issues };

  const doc = await db.get<GuichetRequest>(parsed.compact);
  const stored = doc && doc.type === "request" && !doc.anonymised ? (doc.citizen.email ?? "") : "";
  // Compared in constant time even when there is nothing to compare with.
  const match = timingSafeEqual(digest(stored || "\u0000absent"), digest(email)) && stored !== "";
  const wait = minDelayMs - (Date.now() - started);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  return match && doc ? { ok: true, request: doc } : { ok: false, notFound: true };
}
