import type { Role } from "./roles";

/** Internal statuses of a request. The citizen sees `publicStatus` instead (notes and internal steps stay inside). */
export const STATUSES = [
  "received",
  "assigned",
  "in_progress",
  "incomplete",
  "answered",
  "forwarded",
  "closed",
  "cancelled",
] as const;
export type Status = (typeof STATUSES)[number];

export const STATUS_LABELS: Record<Status, string> = {
  received: "Reçue",
  assigned: "Attribuée",
  in_progress: "En cours",
  incomplete: "En attente de pièces",
  answered: "Réponse envoyée",
  forwarded: "Transmise",
  closed: "Clôturée",
  cancelled: "Annulée",
};

/** What the follow-up page and emails show: fewer, plainer states. */
export const PUBLIC_STATUS: Record<Status, string> = {
  received: "Demande reçue",
  assigned: "En cours de traitement",
  in_progress: "En cours de traitement",
  incomplete: "En attente de pièces de votre part",
  answered: "Réponse envoyée",
  forwarded: "Transmise à l'administration compétente",
  closed: "Traitement terminé",
  cancelled: "Demande annulée",
};

export const OPEN_STATUSES: readonly Status[] = ["received", "assigned", "in_progress", "incomplete"];
export const isOpen = (s: Status): boolean => OPEN_STATUSES.includes(s);

const A: Role = "agent";
const S: Role = "service_agent";
const V: Role = "supervisor";

/**
 * Allowed transitions and who may make them. Data, not code: the same table is
 * serialised into CouchDB's validate_doc_update so the server enforces it too.
 */
export const TRANSITIONS: Record<Status, Partial<Record<Status, readonly Role[]>>> = {
  received: {
    assigned: [A, S, V],
    in_progress: [S, V],
    incomplete: [A, S, V],
    answered: [A, S, V],
    forwarded: [A, S, V],
    cancelled: [A, V],
  },
  assigned: {
    in_progress: [S, V],
    incomplete: [A, S, V],
    answered: [S, V],
    forwarded: [S, V],
    cancelled: [V],
  },
  in_progress: { incomplete: [A, S, V], answered: [S, V], forwarded: [S, V], cancelled: [V] },
  incomplete: { in_progress: [A, S, V], closed: [S, V], cancelled: [V] },
  answered: { closed: [S, V], in_progress: [S, V] },
  forwarded: { closed: [S, V] },
  closed: { in_progress: [V] },
  cancelled: {},
};

/**
 * Who may (re)assign an open request to a service and an agent: the counter routes what it
 * receives, service agents and supervisors move work. A role rule, not a state rule: an offline
 * assignment must not be refused later because another workstation changed the status meanwhile.
 * Serialised into validate_doc_update like TRANSITIONS.
 */
export const ASSIGN_ROLES: readonly Role[] = [A, S, V];

export type TransitionCheck = { ok: true } | { ok: false; error: string };

export function canTransition(from: Status, to: Status, roles: readonly Role[]): TransitionCheck {
  if (from === to) return { ok: false, error: `La demande est déjà « ${STATUS_LABELS[to]} ».` };
  const allowed = TRANSITIONS[from][to];
  if (!allowed) {
    return {
      ok: false,
      error: `Impossible de passer une demande « ${STATUS_LABELS[from]} » à « ${STATUS_LABELS[to]} ».`,
    };
  }
  if (!roles.some((r) => allowed.includes(r))) {
    return {
      ok: false,
      error: `Votre rôle ne permet pas de passer une demande « ${STATUS_LABELS[from]} » à « ${STATUS_LABELS[to]} ».`,
    };
  }
  return { ok: true };
}

/** Statuses reachable from `from` for these roles, in table order (for the detail screen's actions). */
export function nextStatuses(from: Status, roles: readonly Role[]): Status[] {
  return STATUSES.filter((to) => canTransition(from, to, roles).ok);
}

/** The statuses that follow `from` but that these roles may not set, each with the roles that may. */
export function withheldStatuses(
  from: Status,
  roles: readonly Role[],
): { to: Status; by: readonly Role[] }[] {
  return STATUSES.flatMap((to) => {
    const by = TRANSITIONS[from][to];
    return by && !roles.some((r) => by.includes(r)) ? [{ to, by }] : [];
  });
}
