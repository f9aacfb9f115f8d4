import { createHash, timingSafeEqual } from "node:crypto";
import { parseFollowUpCode } from "../../domain/follow-up-code";
import type { GuichetRequest } from "../../domain/request";
import { parseTrackingNumber } from "../../domain/tracking-number";
import type { FieldIssue } from "../../domain/zod-fr";
import type { CouchDb } from "../couch/couch-db";

export const NOT_FOUND_MESSAGE =
  "Aucune demande ne correspond à ce numéro de suivi et à cette adresse électronique ou à ce code. Vérifiez-les et réessayez.";

export type FollowUpResult =
  | { ok: true; request: GuichetRequest }
  /** Only about the shape of what was typed: says nothing of what the database holds. */
  | { ok: false; issues: FieldIssue[] }
  | { ok: false; notFound: true };

/** The number, and either the email given at submission or the follow-up code of the AR. */
export type FollowUpInput = { trackingNumber?: unknown; email?: unknown; code?: unknown };

const digest = (secret: string) => createHash("sha256").update(secret).digest();

type Secret = { kind: "email" | "code"; value: string };

function secretOf(input: FollowUpInput, issues: FieldIssue[]): Secret | null {
  const email = typeof input.email === "string" ? input.email.trim() : "";
  const code = typeof input.code === "string" ? input.code.trim() : "";
  if (code) {
    const parsed = parseFollowUpCode(code);
    if (parsed) return { kind: "code", value: parsed };
    issues.push({
      field: "code",
      message:
        "Le code de suivi comporte 8 caractères, par exemple 7QKD-3MWX. Il figure sur votre accusé de réception.",
    });
    return null;
  }
  if (!email) {
    issues.push({
      field: "email",
      message:
        "Veuillez saisir l'adresse électronique donnée lors de la demande, ou le code de suivi de votre accusé de réception.",
    });
    return null;
  }
  if (email.length > 200) {
    issues.push({ field: "email", message: "200 caractères au maximum." });
    return null;
  }
  return { kind: "email", value: email.toLowerCase() };
}

function storedSecret(doc: GuichetRequest | null, kind: Secret["kind"]): string {
  if (doc?.type !== "request" || doc.anonymised) return "";
  return kind === "email" ? (doc.citizen.email ?? "").trim().toLowerCase() : (doc.followUpCode ?? "");
}

/**
 * Looks a request up for the citizen: the number AND the email given at submission, or the number
 * AND the follow-up code (citizens without an email, requests filed at the counter or by phone).
 * A wrong secret, an unknown number, an anonymised request all give the same answer, after the
 * same minimum time (so the database's speed on either path does not tell them apart).
 */
export async function findForCitizen(
  db: CouchDb,
  input: FollowUpInput,
  minDelayMs: number,
): Promise<FollowUpResult> {
  const started = Date.now();
  const issues: FieldIssue[] = [];
  const number = typeof input.trackingNumber === "string" ? input.trackingNumber : "";
  const parsed = parseTrackingNumber(number.slice(0, 40));
  if (!parsed.ok) issues.push({ field: "trackingNumber", message: parsed.error });
  const secret = secretOf(input, issues);
  if (!parsed.ok || !secret || issues.length > 0) return { ok: false, issues };

  const doc = await db.get<GuichetRequest>(parsed.compact);
  const stored = storedSecret(doc, secret.kind);
  // Compared in constant time even when there is nothing to compare with.
  const match = timingSafeEqual(digest(stored || "\u0000absent"), digest(secret.value)) && stored !== "";
  const wait = minDelayMs - (Date.now() - started);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  return match && doc ? { ok: true, request: doc } : { ok: false, notFound: true };
}

/** The portal's one field: an email when it has an @, else a follow-up code. */
export function followUpSecretField(typed: string | undefined): { email?: string; code?: string } {
  const value = (typed ?? "").trim();
  return value.includes("@") ? { email: value } : { code: value };
}
