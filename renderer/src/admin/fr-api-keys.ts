/** Texts of the Open311 API keys screen. */
export const frApiKeys = {
  nav: "Clés Open311",
  title: "Clés d'API Open311",
  intro:
    "Les applications de signalement (applications de quartier, FixMyStreet…) déposent des signalements par Open311. Chacune reçoit sa propre clé : les agents voient alors quelle application a déposé la demande, et une clé révoquée ne sert plus.",
  adminsOnly: "Seuls les administrateurs gèrent les clés d'API.",
  loading: "Chargement des clés…",
  needsServer: "La gestion des clés demande une connexion au serveur de la mairie.",
  loadFailed: (m: string) => `Impossible de lire les clés : ${m}`,
  retry: "Réessayer",
  requireKey: "Exiger une clé d'API pour déposer un signalement par Open311",
  requireSaved: (on: boolean) =>
    on ? "Une clé est désormais exigée pour déposer." : "Le dépôt sans clé est de nouveau accepté.",
  application: "Nom de l'application",
  issue: "Créer une clé",
  issued: (name: string) =>
    `Clé créée pour « ${name} ». Copiez-la maintenant et transmettez-la à l'éditeur : elle ne sera plus jamais affichée.`,
  caption: "Clés émises",
  none: "Aucune clé émise.",
  colApplication: "Application",
  colCreated: "Créée le",
  colState: "État",
  colActions: "Actions",
  active: "Active",
  revoked: (when: string, by: string) => `Révoquée le ${when} par ${by}`,
  revoke: "Révoquer",
  revokeLabel: (name: string) => `Révoquer la clé de « ${name} »`,
  confirmRevoke: (name: string) => `Révoquer la clé de « ${name} » ? L'application ne pourra plus déposer.`,
  revokeYes: "Oui, révoquer",
  cancel: "Annuler",
  revokedNotice: (name: string) => `Clé de « ${name} » révoquée.`,
  failed: (m: string) => `Action refusée : ${m}`,
};
