/**
 * Shared builders for the domain tests: a catalogue with one SVA démarche (the default one has
 * none), valid fields for every démarche, and deterministic history events.
 */
import {
  applyOverrides,
  type Catalogue,
  type Demarche,
  findDemarche,
  findService,
  type Service,
} from "./catalogue";
import { type Commune, DEMO_COMMUNE } from "./commune";
import { DEFAULT_CATALOGUE } from "./default-catalogue";
import { type NewRequestContext, newRequest } from "./new-request";
import type { GuichetRequest, RequestContent, RequestEvent } from "./request";
import { makeTrackingNumber } from "./tracking-number";
import type { Status } from "./workflow";

/** Workstation codes (3 symbols of the tracking alphabet). */
export const WS_A = "K7M";
export const WS_B = "P2X";
export const WS_C = "R4T";

export const POLICY: GuichetRequest["policy"] = DEMO_COMMUNE.policy;

export const COMMUNE: Commune = {
  ...DEMO_COMMUNE,
  tribunal: "Tribunal administratif de Montreuil, 7 rue Catherine Puig, 93100 Montreuil",
};

/** Silence means acceptance after two months (L231-1): the general rule, absent from the default catalogue. */
export const SVA_DEMARCHE: Demarche = {
  id: "autorisation_buvette",
  version: 1,
  label: "Autorisation d'ouverture d'une buvette temporaire",
  category: "general",
  description: "Buvette lors d'une fête associative.",
  service: "accueil",
  rule: { kind: "SVA", months: 2 },
  arOwed: true,
  retentionDays: 365,
  sensitive: false,
  online: true,
  needsLocation: false,
  fields: [
    { key: "association", label: "Association", kind: "text", required: true },
    { key: "dateFete", label: "Date de la manifestation", kind: "date", required: true },
  ],
};

export const CATALOGUE: Catalogue = applyOverrides(DEFAULT_CATALOGUE, { demarches: [SVA_DEMARCHE] });

export function demarche(id: string): Demarche {
  const d = findDemarche(CATALOGUE, id);
  if (!d) throw new Error(`unknown démarche ${id}`);
  return d;
}

export function service(id: string): Service {
  const s = findService(CATALOGUE, id);
  if (!s) throw new Error(`unknown service ${id}`);
  return s;
}

/** Valid values for each démarche's own fields. */
export const VALID_FIELDS: Record<string, RequestContent["fields"]> = {
  acte_naissance: {
    personne: "Martin Léa Jeanne",
    dateActe: "1990-05-17",
    typeCopie: "copie_integrale",
    delivrance: "courrier",
  },
  acte_mariage: {
    personne: "Martin Léa et Durand Paul",
    dateActe: "2015-06-20",
    typeCopie: "extrait_filiation",
    delivrance: "guichet",
  },
  acte_deces: {
    personne: "Martin Jean",
    dateActe: "2024-01-03",
    typeCopie: "extrait_sans_filiation",
    delivrance: "guichet",
  },
  inscription_electorale: {
    dateNaissance: "2000-02-29",
    lieuNaissance: "Lyon",
    nationalite: "francaise",
    justificatifDomicile: true,
  },
  recensement_citoyen: { dateNaissance: "2010-03-01", parents: "Martin Paul et Durand Claire" },
  signalement_voirie: { description: "Nid-de-poule devant le n° 12", lieu: "12 rue des Lilas" },
  signalement_proprete: { description: "Dépôt sauvage", lieu: "Parking de la gare" },
  signalement_eclairage: { description: "Lampadaire éteint", lieu: "Angle rue Haute et rue Basse" },
  police_doleance: { faits: "Aboiements la nuit", lieu: "3 impasse des Merles", dateFaits: "2026-03-01" },
  aide_restauration_scolaire: { enfant: "Martin Hugo", ecole: "École Jules-Ferry", quotientFamilial: 540 },
  inscription_bibliotheque: {},
  ccas_aide: { nature: "energie", situation: "Facture de chauffage impayée" },
  attestation_accueil: { visiteur: "Silva Ana", dateArrivee: "2026-07-01", duree: 15 },
  occupation_domaine_public: { objet: "Benne", lieu: "8 rue du Port", du: "2026-04-01", au: "2026-04-03" },
  demande_generale: { message: "Quels sont les horaires d'ouverture le samedi ?" },
  autorisation_buvette: { association: "Comité des fêtes", dateFete: "2026-06-21" },
};

export function content(demarcheId: string, overrides: Partial<RequestContent> = {}): RequestContent {
  const d = demarche(demarcheId);
  const fields = VALID_FIELDS[demarcheId];
  if (!fields) throw new Error(`no sample fields for ${demarcheId}`);
  return {
    demarche: demarcheId,
    channel: "guichet",
    subject: d.label,
    fields: { ...fields },
    citizen: {
      firstName: "Léa",
      lastName: "Martin",
      email: "lea.martin@example.org",
      phone: "06 12 34 56 78",
      address: { line: "12 rue des Lilas", postcode: "75011", city: "Paris" },
    },
    ...(d.needsLocation ? { location: { address: "12 rue des Lilas", lat: 48.86, lng: 2.38 } } : {}),
    attachments: [],
    ...overrides,
  };
}

export const TRACKING = makeTrackingNumber(WS_A, 42);

/** 12 March 2026, 09:30 in Paris (a Thursday): SVR/SVA + 2 months ends on Tuesday 12 May 2026. */
export const NOW = "2026-03-12T08:30:00.000Z";

export function context(demarcheId: string, overrides: Partial<NewRequestContext> = {}): NewRequestContext {
  return {
    commune: COMMUNE.id,
    tracking: TRACKING,
    demarche: demarche(demarcheId),
    policy: POLICY,
    by: "agent.dupont",
    workstation: WS_A,
    now: NOW,
    ...overrides,
  };
}

/** A stored request built through `newRequest`, as every door does. */
export function buildRequest(
  demarcheId: string,
  opts: { content?: Partial<RequestContent>; ctx?: Partial<NewRequestContext> } = {},
): GuichetRequest {
  const result = newRequest(content(demarcheId, opts.content), context(demarcheId, opts.ctx));
  if (!result.ok) throw new Error(`invalid fixture: ${JSON.stringify(result.issues)}`);
  return result.request;
}

let counter = 0;

/** A well-formed event id (time in base 36, workstation, suffix), unique within a test file. */
export function eventId(at: string, workstation: string, suffix?: string): string {
  counter += 1;
  return `${Date.parse(at).toString(36)}-${workstation}-${suffix ?? `t${counter.toString(36)}`}`;
}

type Who = { by?: string; workstation?: string; id?: string };

const base = (at: string, who: Who) => {
  const workstation = who.workstation ?? WS_A;
  return { id: who.id ?? eventId(at, workstation), at, by: who.by ?? "agent.dupont", workstation };
};

/** Event builders; `who` sets the author, workstation and id when a test needs them fixed. */
export const ev = {
  status: (
    at: string,
    from: Status,
    to: Status,
    who: Who = {},
    extra: {
      reason?: string;
      missingPieces?: string[];
      piecesDueOn?: string;
      answer?: string;
      forwardedTo?: string;
    } = {},
  ): RequestEvent => ({ ...base(at, who), kind: "status", from, to, ...extra }),
  assigned: (at: string, serviceId: string, assignee: string, who: Who = {}): RequestEvent => ({
    ...base(at, who),
    kind: "assigned",
    service: serviceId,
    assignee,
  }),
  note: (at: string, text: string, who: Who = {}): RequestEvent => ({ ...base(at, who), kind: "note", text }),
  arSent: (at: string, via: "email" | "print", to?: string, who: Who = {}): RequestEvent => ({
    ...base(at, who),
    kind: "ar_sent",
    via,
    ...(to === undefined ? {} : { to }),
  }),
  registrationSent: (at: string, to: string, who: Who = {}): RequestEvent => ({
    ...base(at, who),
    kind: "registration_sent",
    to,
  }),
  implicitDecision: (
    at: string,
    outcome: "acceptance" | "rejection",
    dueOn: string,
    who: Who = {},
  ): RequestEvent => ({ ...base(at, who), kind: "implicit_decision", outcome, dueOn }),
  deadlineFlagged: (
    at: string,
    dueOn: string,
    level: "soon" | "urgent" | "overdue",
    who: Who = {},
  ): RequestEvent => ({ ...base(at, who), kind: "deadline_flagged", dueOn, level }),
  duplicateLinked: (at: string, otherId: string, who: Who = {}): RequestEvent => ({
    ...base(at, who),
    kind: "duplicate_linked",
    otherId,
  }),
};
