/** The doors a request comes through. "en_ligne" is only ever set by the portal server. */
export const CHANNELS = ["guichet", "telephone", "courrier", "courriel", "en_ligne", "autre"] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_LABELS: Record<Channel, string> = {
  guichet: "Guichet",
  telephone: "Téléphone",
  courrier: "Courrier",
  courriel: "Courriel",
  en_ligne: "En ligne",
  autre: "Autre",
};

/** Channels an agent may pick at a workstation (online requests come from the portal). */
export const WORKSTATION_CHANNELS = CHANNELS.filter((c) => c !== "en_ligne");
