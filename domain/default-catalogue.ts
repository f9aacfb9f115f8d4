import type { Catalogue, FieldDef } from "./catalogue";

/**
 * The catalogue a new commune starts with. A commune overrides it (applyOverrides);
 * services' addresses and phones are placeholders to be replaced at set-up.
 * Deadline rules: L231-1 (silence = acceptance after 2 months) is the default;
 * L231-4 makes silence a rejection for financial requests and complaints; requests that
 * aim at no individual decision (signalements, questions) get rule "none".
 */
const acte: FieldDef[] = [
  { key: "personne", label: "Nom et prénoms de la personne concernée", kind: "text", required: true },
  { key: "dateActe", label: "Date de l'événement", kind: "date", required: true },
  {
    key: "typeCopie",
    label: "Type de document",
    kind: "select",
    required: true,
    options: [
      { value: "copie_integrale", label: "Copie intégrale" },
      { value: "extrait_filiation", label: "Extrait avec filiation" },
      { value: "extrait_sans_filiation", label: "Extrait sans filiation" },
    ],
  },
  {
    key: "delivrance",
    label: "Mode de délivrance",
    kind: "select",
    required: true,
    options: [
      { value: "guichet", label: "Retrait au guichet" },
      { value: "courrier", label: "Envoi par courrier" },
    ],
  },
];

const signalement: FieldDef[] = [
  { key: "description", label: "Ce que vous avez constaté", kind: "textarea", required: true, maxLength: 2000 },
  { key: "lieu", label: "Adresse ou lieu précis", kind: "text", required: true },
];

// Acts are issued after checking legal conditions only: no AR owed (R112-4), no implicit decision.
const etatCivil = (id: string, label: string) => ({
  id,
  version: 1,
  label,
  category: "etat_civil" as const,
  description: `Demande de ${label.toLowerCase()}.`,
  service: "etat_civil",
  rule: { kind: "none" as const, onCorrection: "resume" as const },
  arOwed: false,
  retentionDays: 365,
  sensitive: false,
  online: true,
  needsLocation: false,
  fields: acte,
});

export const DEFAULT_CATALOGUE: Catalogue = {
  services: [
    { id: "etat_civil", name: "Service État civil", address: "Mairie, place de la Mairie", phone: "01 00 00 00 01", email: "etat-civil@mairie.example", sensitive: false },
    { id: "elections", name: "Service Élections", address: "Mairie, place de la Mairie", phone: "01 00 00 00 02", email: "elections@mairie.example", sensitive: false },
    { id: "services_techniques", name: "Services techniques", address: "Centre technique municipal, rue des Ateliers", phone: "01 00 00 00 03", email: "technique@mairie.example", sensitive: false },
    { id: "police_municipale", name: "Police municipale", address: "Poste de police municipale, rue de la Paix", phone: "01 00 00 00 04", email: "police@mairie.example", sensitive: true },
    { id: "scolaire", name: "Service Enfance et scolaire", address: "Mairie annexe, rue des Écoles", phone: "01 00 00 00 05", email: "scolaire@mairie.example", sensitive: false },
    { id: "bibliotheque", name: "Bibliothèque municipale", address: "Place de la Médiathèque", phone: "01 00 00 00 06", email: "bibliotheque@mairie.example", sensitive: false },
    { id: "ccas", name: "Centre communal d'action sociale (CCAS)", address: "CCAS, rue de la Solidarité", phone: "01 00 00 00 07", email: "ccas@mairie.example", sensitive: true },
    { id: "accueil", name: "Accueil de la mairie", address: "Mairie, place de la Mairie", phone: "01 00 00 00 00", email: "accueil@mairie.example", sensitive: false },
  ],
  demarches: [
    etatCivil("acte_naissance", "Copie ou extrait d'acte de naissance"),
    etatCivil("acte_mariage", "Copie ou extrait d'acte de mariage"),
    etatCivil("acte_deces", "Copie ou extrait d'acte de décès"),
    {
      id: "inscription_electorale",
      version: 1,
      label: "Inscription sur les listes électorales",
      category: "elections",
      description: "Inscription ou changement d'adresse sur la liste électorale de la commune.",
      service: "elections",
      // The electoral code has its own procedure (the mayor rules within 5 days, L18 code électoral): no CRPA silence rule.
      rule: { kind: "none", onCorrection: "resume" },
      arOwed: true,
      retentionDays: 365,
      sensitive: false,
      online: true,
      needsLocation: false,
      fields: [
        { key: "dateNaissance", label: "Date de naissance", kind: "date", required: true },
        { key: "lieuNaissance", label: "Lieu de naissance", kind: "text", required: true },
        { key: "nationalite", label: "Nationalité", kind: "select", required: true, options: [
          { value: "francaise", label: "Française" },
          { value: "ue", label: "Autre pays de l'Union européenne" },
        ] },
        { key: "justificatifDomicile", label: "Justificatif de domicile fourni", kind: "boolean", required: true },
      ],
    },
    {
      id: "recensement_citoyen",
      version: 1,
      label: "Recensement citoyen (16 ans)",
      category: "citoyennete",
      description: "Recensement obligatoire des jeunes de 16 ans ; une attestation est remise.",
      service: "accueil",
      rule: { kind: "none", onCorrection: "resume" },
      // The attestation is handed over at once (R112-4: decision within 15 days).
      arOwed: false,
      retentionDays: 365,
      sensitive: false,
      online: true,
      needsLocation: false,
      fields: [
        { key: "dateNaissance", label: "Date de naissance", kind: "date", required: true },
        { key: "parents", label: "Noms des parents", kind: "text", required: true },
      ],
    },
    ...(["voirie", "proprete", "eclairage"] as const).map((t) => ({
      id: `signalement_${t}`,
      version: 1,
      label: { voirie: "Signalement voirie", proprete: "Signalement propreté", eclairage: "Signalement éclairage public" }[t],
      category: "espace_public" as const,
      description: "Un problème dans l'espace public : nid-de-poule, dépôt sauvage, lampadaire éteint…",
      service: "services_techniques",
      rule: { kind: "none" as const, onCorrection: "resume" as const },
      arOwed: true,
      retentionDays: 180,
      sensitive: false,
      online: true,
      needsLocation: true,
      fields: signalement,
    })),
    {
      id: "police_doleance",
      version: 1,
      label: "Police municipale : doléance ou plainte de voisinage",
      category: "securite",
      description: "Troubles de voisinage, stationnement gênant, nuisances.",
      service: "police_municipale",
      // A complaint aims at no individual decision in the applicant's favour: no implicit decision.
      rule: { kind: "none", onCorrection: "resume" },
      arOwed: true,
      retentionDays: 365,
      sensitive: true,
      online: false,
      needsLocation: true,
      fields: [
        { key: "faits", label: "Description des faits", kind: "textarea", required: true, maxLength: 4000 },
        { key: "lieu", label: "Lieu", kind: "text", required: true },
        { key: "dateFaits", label: "Date des faits", kind: "date", required: false },
      ],
    },
    {
      id: "aide_restauration_scolaire",
      version: 1,
      label: "Restauration scolaire : tarif réduit ou aide",
      category: "education",
      description: "Demande de tarif selon le quotient familial.",
      service: "scolaire",
      // Financial request: silence means rejection (L231-4).
      rule: { kind: "SVR", months: 2, onCorrection: "resume" },
      arOwed: true,
      retentionDays: 730,
      sensitive: false,
      online: true,
      needsLocation: false,
      fields: [
        { key: "enfant", label: "Nom et prénom de l'enfant", kind: "text", required: true },
        { key: "ecole", label: "École", kind: "text", required: true },
        { key: "quotientFamilial", label: "Quotient familial (CAF)", kind: "number", required: false },
      ],
    },
    {
      id: "inscription_bibliotheque",
      version: 1,
      label: "Inscription à la bibliothèque",
      category: "culture",
      description: "Carte de lecteur.",
      service: "bibliotheque",
      rule: { kind: "none", onCorrection: "resume" },
      arOwed: false,
      retentionDays: 365,
      sensitive: false,
      online: true,
      needsLocation: false,
      fields: [{ key: "dateNaissance", label: "Date de naissance", kind: "date", required: false }],
    },
    {
      id: "ccas_aide",
      version: 1,
      label: "Demande d'aide au CCAS",
      category: "social",
      description: "Aide sociale facultative (secours, aide alimentaire, énergie).",
      service: "ccas",
      // Financial aid: silence means rejection (L231-4). A correction restarts the examination.
      rule: { kind: "SVR", months: 2, onCorrection: "restart" },
      arOwed: true,
      retentionDays: 90,
      sensitive: true,
      online: false,
      needsLocation: false,
      fields: [
        { key: "nature", label: "Nature de l'aide demandée", kind: "select", required: true, options: [
          { value: "secours", label: "Secours d'urgence" },
          { value: "alimentaire", label: "Aide alimentaire" },
          { value: "energie", label: "Aide énergie" },
          { value: "autre", label: "Autre" },
        ] },
        { key: "situation", label: "Situation", kind: "textarea", required: true, maxLength: 4000 },
      ],
    },
    {
      id: "attestation_accueil",
      version: 1,
      label: "Attestation d'accueil",
      category: "citoyennete",
      description: "Attestation pour accueillir un ressortissant étranger en visite.",
      service: "accueil",
      // One month, then rejection (L231-6 delay set by the code de l'entrée et du séjour des étrangers).
      rule: { kind: "SVR", months: 1, onCorrection: "resume" },
      arOwed: true,
      retentionDays: 365,
      sensitive: false,
      online: false,
      needsLocation: false,
      fields: [
        { key: "visiteur", label: "Nom et prénom du visiteur", kind: "text", required: true },
        { key: "dateArrivee", label: "Date d'arrivée", kind: "date", required: true },
        { key: "duree", label: "Durée du séjour (jours)", kind: "number", required: true },
      ],
    },
    {
      id: "occupation_domaine_public",
      version: 1,
      label: "Autorisation d'occupation du domaine public",
      category: "espace_public",
      description: "Benne, échafaudage, terrasse, déménagement.",
      service: "services_techniques",
      // Decree 2016-625 lists occupation of the public domain among SVR exceptions for collectivities (check).
      rule: { kind: "SVR", months: 2, onCorrection: "resume" },
      arOwed: true,
      retentionDays: 365,
      sensitive: false,
      online: true,
      needsLocation: true,
      fields: [
        { key: "objet", label: "Objet de l'occupation", kind: "text", required: true },
        { key: "lieu", label: "Adresse", kind: "text", required: true },
        { key: "du", label: "Du", kind: "date", required: true },
        { key: "au", label: "Au", kind: "date", required: true },
      ],
    },
    {
      id: "demande_generale",
      version: 1,
      label: "Demande générale, question ou réclamation",
      category: "general",
      description: "Toute autre demande.",
      service: "accueil",
      rule: { kind: "none", onCorrection: "resume" },
      arOwed: true,
      retentionDays: 365,
      sensitive: false,
      online: true,
      needsLocation: false,
      fields: [{ key: "message", label: "Votre demande", kind: "textarea", required: true, maxLength: 4000 }],
    },
  ],
};
