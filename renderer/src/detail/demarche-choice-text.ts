/** French texts of the démarche choice (mails filed by the email door); kept apart from fr.ts. */
export const DEMARCHE_CHOICE_TEXT = {
  title: "Démarche",
  hint: "Courriel reçu sans démarche : choisissez-la. La demande passe au service de la démarche, le délai court depuis la réception, et l'accusé de réception part par courriel.",
  label: "Démarche de la demande",
  submit: "Choisir cette démarche",
  chosen: (label: string, service: string) => `Démarche choisie : ${label} (service ${service})`,
  fieldNote: "Champs du courriel d'origine",
} as const;
