import type { Channel } from "../../../domain/channels";
import { DEMO_COMMUNE } from "../../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { newRequest } from "../../../domain/new-request";
import type { GuichetRequest } from "../../../domain/request";
import { makeTrackingNumber } from "../../../domain/tracking-number";

/** Valid démarche fields for the bench's seeded requests (bench build only). */
export const VALID_SAMPLE_FIELDS: Record<string, Record<string, string | number | boolean>> = {
  demande_generale: { message: "Quels sont les horaires d'ouverture le samedi ?" },
  aide_restauration_scolaire: { enfant: "Martin Tom", ecole: "École Jules-Ferry", quotientFamilial: 650 },
  acte_naissance: {
    personne: "Martin Léa",
    dateActe: "1990-05-12",
    typeCopie: "copie_integrale",
    delivrance: "guichet",
  },
  inscription_electorale: {
    dateNaissance: "1990-05-12",
    lieuNaissance: "Lyon",
    nationalite: "francaise",
    justificatifDomicile: true,
  },
  signalement_voirie: { description: "Nid-de-poule devant le numéro 12", lieu: "12 rue de la République" },
  inscription_bibliotheque: { dateNaissance: "1990-05-12" },
  attestation_accueil: { visiteur: "Silva Ana", dateArrivee: "2026-07-01", duree: 15 },
  occupation_domaine_public: { objet: "Benne", lieu: "8 rue du Port", du: "2026-04-01", au: "2026-04-03" },
  recensement_citoyen: { dateNaissance: "2010-02-01", parents: "Martin Paul et Martin Anne" },
};

/** The workstation the benches seed for. */
export type BenchWorkstation = { code: string; commune: string; username: string };

/**
 * The i-th seeded request of a bench: a valid démarche with its sample fields, numbered under a
 * code of the bench's own (`codeLetter` then two symbols from i), so the app's sequence is untouched.
 */
export function sampleRequest(
  i: number,
  ws: BenchWorkstation,
  o: {
    demarcheId: string;
    channel: Channel;
    at: string;
    citizen: { lastName: string; firstName: string };
    street: string;
    codeLetter: string;
  },
): GuichetRequest {
  const demarche = DEFAULT_CATALOGUE.demarches.find((d) => d.id === o.demarcheId)!;
  const res = newRequest(
    {
      demarche: demarche.id,
      channel: o.channel,
      subject: `${demarche.label} n° ${i}`,
      fields: VALID_SAMPLE_FIELDS[demarche.id] ?? {},
      citizen: o.citizen,
      ...(demarche.needsLocation ? { location: { address: `${1 + (i % 120)} ${o.street}` } } : {}),
      attachments: [],
    },
    {
      commune: ws.commune,
      tracking: makeTrackingNumber(
        `${o.codeLetter}${String.fromCharCode(65 + Math.floor(i / 500_000))}${Math.floor(i / 50_000) % 10}`,
        1 + (i % 50_000),
      ),
      demarche,
      policy: DEMO_COMMUNE.policy,
      by: ws.username,
      workstation: ws.code,
      now: o.at,
    },
  );
  if (!res.ok) throw new Error(JSON.stringify(res.issues));
  return res.request;
}
