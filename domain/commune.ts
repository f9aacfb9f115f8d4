import { z } from "zod";
import "./zod-fr";
import { deadlinePolicySchema } from "./request";
import { ROLES } from "./roles";

/** Where an administrator completes the commune's identity (said by every refusal). */
export const IDENTITY_WHERE =
  "un administrateur de la commune la complète dans l'application du guichet, écran « Administration › Commune » (#/admin/commune)";

/** Printed on every document of the demo commune: its identity is made up. */
export const DEMO_LABEL = "Commune de démonstration — document sans valeur";

const postcode = z.string().regex(/^\d{5}$/, "Code postal : 5 chiffres.");
const text = (max: number) => z.string().trim().min(1).max(max);

/** A logo small enough to travel with the configuration to every workstation (PNG or JPEG). */
const logo = z
  .string()
  .max(200_000, "Logo trop lourd : 150 Ko au plus.")
  .regex(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+=*$/, "Logo : une image PNG ou JPEG.");

/**
 * An agent as letters name them (L111-2: first name, name, position; the administrative address
 * is their service's). Kept in the commune's -config database so the workstations and the server
 * read the same names; nothing more personal than what a letter prints.
 */
export const agentCardSchema = z.strictObject({
  username: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._@-]*$/)
    .max(80),
  firstName: text(60),
  lastName: text(60),
  position: text(120),
  roles: z
    .array(z.enum(ROLES))
    .max(ROLES.length)
    .refine((r) => !r.includes("portal") && !r.includes("server"), "Rôle réservé aux comptes de service."),
  services: z.array(z.string().regex(/^[a-z][a-z0-9_-]{1,39}$/)).max(50),
  disabled: z.boolean().optional(),
  /** Set by the server at each new password: a workstation drops an offline hash older than it. */
  passwordSetAt: z.iso.datetime().optional(),
});
export type AgentCard = z.infer<typeof agentCardSchema>;

export const mediatorSchema = z.strictObject({
  name: text(200),
  address: z.string().trim().max(300).optional(),
  website: z.string().trim().max(200).optional(),
});

/** How long a counter screen stays open without input, how long a workstation lets agents in offline. */
export const workstationSecuritySchema = z.strictObject({
  idleLockMinutes: z
    .number()
    .int()
    .min(1, "Verrouillage : 1 minute au moins.")
    .max(120, "Verrouillage : 120 minutes au plus."),
  offlineLoginDays: z
    .number()
    .int()
    .min(1, "Connexion hors ligne : 1 jour au moins.")
    .max(90, "Connexion hors ligne : 90 jours au plus."),
});
export type WorkstationSecurity = z.infer<typeof workstationSecuritySchema>;
export const DEFAULT_WORKSTATION_SECURITY: WorkstationSecurity = { idleLockMinutes: 5, offlineLoginDays: 14 };

/** The commune's choice, or the defaults (5 minutes, 14 days). */
export const workstationSecurityOf = (c: Pick<Commune, "workstationSecurity">): WorkstationSecurity => ({
  ...DEFAULT_WORKSTATION_SECURITY,
  ...c.workstationSecurity,
});

/** A commune's settings: identity for letters, and its choices where the law leaves one. */
export const communeSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/),
  /** Guichet's made-up demo commune: its documents say so (DEMO_LABEL). */
  demo: z.literal(true).optional(),
  name: z.string().min(1).max(120),
  /** Street line of the mairie. */
  address: z.string().min(1).max(300),
  postcode: postcode.optional(),
  town: z.string().trim().max(120).optional(),
  phone: z.string().min(1).max(40),
  email: z.email(),
  website: z.string().max(200).optional(),
  logo: logo.optional(),
  policy: deadlinePolicySchema,
  /** Days before the implicit-decision date when a request is "soon" / "urgent". */
  risk: z.strictObject({
    soonDays: z.number().int().min(1).max(60),
    urgentDays: z.number().int().min(0).max(30),
  }),
  /** Tribunal administratif competent for appeals (voies et délais de recours on SVR ARs). */
  tribunal: z.string().min(1).max(200),
  tribunalAddress: z.string().trim().max(300).optional(),
  mediator: mediatorSchema.optional(),
  workstationSecurity: workstationSecuritySchema.optional(),
  /** Fleet view: a workstation whose oldest unsynced work is older than this is flagged (default 24). */
  fleetStaleHours: z.number().int().min(1).max(720).optional(),
  /** Set by the server on each change (history: config-docs.ts). */
  version: z.number().int().min(1).optional(),
  updatedBy: z.string().max(80).optional(),
  updatedAt: z.iso.datetime().optional(),
  /** The agent directory (its own -config document, joined here when read). */
  agents: z.array(agentCardSchema).max(2000).optional(),
});
export type Commune = z.infer<typeof communeSchema>;

export const DEMO_COMMUNE: Commune = {
  id: "demo",
  demo: true,
  name: "Mairie de Saint-Exemple",
  address: "1 place de la Mairie",
  postcode: "00000",
  town: "Saint-Exemple",
  phone: "01 00 00 00 00",
  email: "accueil@mairie.example",
  policy: { shiftToWorkingDay: false, startFrom: "received", calendar: { region: "metropole" } },
  risk: { soonDays: 15, urgentDays: 5 },
  tribunal: "Tribunal administratif de Exemple-Ville",
  tribunalAddress: "1 rue de la Justice, 00000 Exemple-Ville",
};

/** The identity fields a legal document needs, with the names a refusal gives them. */
const REQUIRED: { key: keyof Commune; label: string }[] = [
  { key: "name", label: "nom de la commune" },
  { key: "address", label: "adresse de la mairie" },
  { key: "postcode", label: "code postal" },
  { key: "town", label: "ville" },
  { key: "phone", label: "téléphone" },
  { key: "email", label: "adresse électronique" },
  { key: "tribunal", label: "tribunal administratif compétent" },
  { key: "tribunalAddress", label: "adresse du tribunal administratif" },
];

/**
 * What a legal document of this commune still lacks, in French (empty when complete). A value
 * left as the demo's placeholder counts as missing: it would print a made-up identity as real.
 */
export function identityGaps(c: Commune): string[] {
  return REQUIRED.filter(({ key }) => {
    const v = c[key];
    if (typeof v !== "string" || v.trim() === "") return true;
    return !c.demo && v === DEMO_COMMUNE[key];
  }).map((f) => f.label);
}

/**
 * Why no legal document may be issued for this commune, or null. The demo commune is not refused:
 * its documents carry DEMO_LABEL instead.
 */
export function identityProblem(c: Commune): string | null {
  if (c.demo) return null;
  const gaps = identityGaps(c);
  if (gaps.length === 0) return null;
  return `Identité de la commune incomplète (${gaps.join(", ")}) : aucun document officiel ne peut être établi tant qu'${IDENTITY_WHERE}.`;
}

/** "1 place de la Mairie, 93100 Montreuil": the mairie's postal address on one line. */
export function communePostalAddress(c: Commune): string {
  const townLine = [c.postcode, c.town].filter((p) => p?.trim()).join(" ");
  return [c.address.trim(), townLine].filter(Boolean).join(", ");
}

/** The tribunal with its address, as the appeal routes name it. */
export function tribunalText(c: Commune): string {
  return [c.tribunal.trim(), c.tribunalAddress?.trim()].filter(Boolean).join(", ");
}

/** The letterhead's lines: name, postal address, phone and email, website. */
export function letterhead(c: Commune): string[] {
  return [
    c.name,
    communePostalAddress(c),
    `Téléphone : ${c.phone} – Courriel : ${c.email}`,
    ...(c.website?.trim() ? [c.website.trim()] : []),
  ];
}

/** The agent behind a username in the commune's directory, unless disabled or unknown. */
export function findAgent(c: Commune, username: string | undefined): AgentCard | undefined {
  if (!username) return undefined;
  return c.agents?.find((a) => a.username === username && !a.disabled);
}

/**
 * The agents a request of this service may be given to: active, of that service (what the request
 * databases' validate_doc_update accepts). Empty directory: null (a fresh commune; nothing checked).
 */
export function assignableTo(c: Commune, service: string): AgentCard[] | null {
  const active = (c.agents ?? []).filter((a) => !a.disabled);
  if (active.length === 0) return null;
  return active
    .filter((a) => a.services.includes(service))
    .sort((a, b) => `${a.lastName} ${a.firstName}`.localeCompare(`${b.lastName} ${b.firstName}`, "fr"));
}
