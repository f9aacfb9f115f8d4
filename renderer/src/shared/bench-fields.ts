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
