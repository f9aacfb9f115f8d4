import { z } from "zod";
import "./zod-fr";
import { deadlinePolicySchema } from "./request";

/** A commune's settings: identity for letters, and its choices where the law leaves one. */
export const communeSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/),
  name: z.string().min(1).max(120),
  address: z.string().min(1).max(300),
  phone: z.string().min(1).max(40),
  email: z.email(),
  website: z.string().max(200).optional(),
  policy: deadlinePolicySchema,
  /** Days before the implicit-decision date when a request is "soon" / "urgent". */
  risk: z.strictObject({
    soonDays: z.number().int().min(1).max(60),
    urgentDays: z.number().int().min(0).max(30),
  }),
  /** Tribunal administratif competent for appeals (voies et délais de recours on SVR ARs). */
  tribunal: z.string().min(1).max(200),
});
export type Commune = z.infer<typeof communeSchema>;

export const DEMO_COMMUNE: Commune = {
  id: "demo",
  name: "Mairie de Saint-Exemple",
  address: "1 place de la Mairie, 00000 Saint-Exemple",
  phone: "01 00 00 00 00",
  email: "accueil@mairie.example",
  policy: { shiftToWorkingDay: false, startFrom: "received", calendar: { region: "metropole" } },
  risk: { soonDays: 15, urgentDays: 5 },
  tribunal: "Tribunal administratif de Exemple-Ville, 1 rue de la Justice",
};
