import { findDemarche } from "../../../domain/catalogue";
import { DEMO_COMMUNE } from "../../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { newRequest } from "../../../domain/new-request";
import type { GuichetRequest } from "../../../domain/request";

/**
 * A request with every optional part filled (citizen, filer, place, attachment), as the counter
 * stores it: what the validation rules' tests mutate or extend.
 */
export function fullRequest({
  by = "agent1",
  at = "2025-03-10T09:00:00.000Z",
  subject = "Copie intégrale",
} = {}): GuichetRequest & { _id: string } {
  const demarche = findDemarche(DEFAULT_CATALOGUE, "acte_naissance");
  if (!demarche) throw new Error("démarche manquante");
  const res = newRequest(
    {
      demarche: demarche.id,
      channel: "guichet",
      subject,
      fields: {
        personne: "Martin Léa",
        dateActe: "1990-05-17",
        typeCopie: "copie_integrale",
        delivrance: "guichet",
      },
      citizen: {
        firstName: "Léa",
        lastName: "Martin",
        email: "lea@example.org",
        phone: "01 23 45 67 89",
        address: { line: "1 rue Haute", postcode: "75001", city: "Paris" },
      },
      filedBy: { name: "Paul Martin", relation: "frère" },
      location: { address: "1 rue Haute", lat: 48.86, lng: 2.34 },
      attachments: [
        { id: "piece-0001", name: "livret.pdf", mime: "application/pdf", size: 1200, sha256: "a".repeat(64) },
      ],
    },
    {
      commune: "demo",
      tracking: "K7M00017",
      demarche,
      policy: DEMO_COMMUNE.policy,
      by,
      workstation: "K7M",
      now: at,
    },
  );
  if (!res.ok) throw new Error(JSON.stringify(res.issues));
  return { _id: res.request.id, ...res.request };
}
