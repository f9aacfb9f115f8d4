import { CouchHttpError } from "./couch-client";
import { NetworkError } from "./http";

/**
 * Whether a failure means "the server was not reached". Besides our NetworkError: the browser's
 * own fetch TypeError ("Failed to fetch", "NetworkError when attempting…", "Load failed") and
 * those errors once RxDB has turned them into plain objects (`{ name, message }`).
 */
export function isNetworkFailure(err: unknown): boolean {
  if (err instanceof NetworkError || err instanceof TypeError) return true;
  const e = err as { name?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  if (e.name === "NetworkError" || e.name === "TypeError") return true;
  return typeof e.message === "string" && /failed to fetch|networkerror|load failed|err_/i.test(e.message);
}

/** RxDB's own wrapping of a handler's failure, already reported by the handler's guard. */
export function isReplicationWrapper(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "RC_PULL" || code === "RC_PUSH";
}

export const NETWORK_MESSAGE =
  "Serveur injoignable : le travail est enregistré sur ce poste et partira au retour du réseau.";

/** What the agent reads when sync fails: plain French, with what happens to their work, never English. */
export function syncErrorMessage(err: unknown): string {
  if (isNetworkFailure(err)) return NETWORK_MESSAGE;
  if (err instanceof CouchHttpError) {
    if (err.status === 401) return "Identifiant ou mot de passe refusé par le serveur : reconnectez-vous.";
    if (err.status === 403 && /lock/i.test(err.reason)) {
      return "Compte bloqué quelques minutes après plusieurs mots de passe erronés : réessayez dans 5 minutes.";
    }
    // The gateway's own words on this workstation's identity (revoked, unknown, unregistered).
    if (err.status === 403 && err.couchError.startsWith("workstation_")) return err.reason;
    if (err.status === 403) return "Ce compte n'a pas accès aux demandes de cette commune.";
    if (err.status === 404)
      return "Base de données introuvable sur le serveur : vérifiez l'adresse du serveur.";
    return `Le serveur a répondu une erreur (${err.status}) : la synchronisation sera retentée automatiquement.`;
  }
  return "Erreur inattendue pendant la synchronisation : elle sera retentée automatiquement. Si elle persiste, prévenez le support informatique.";
}

/** The counts a "Synchroniser maintenant" compares, before and after. */
export type SyncCounts = {
  online: boolean;
  pending: number;
  attachmentsWaiting: number;
  rejected: number;
  lastError: string | null;
};

const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;
const requests = (n: number) => plural(n, "demande", "demandes");
const files = (n: number) => plural(n, "pièce jointe", "pièces jointes");

function waiting(c: SyncCounts): string {
  const parts = [
    c.pending > 0 ? `${requests(c.pending)} ${c.pending > 1 ? "attendent" : "attend"}` : "",
    c.attachmentsWaiting > 0
      ? `${files(c.attachmentsWaiting)} ${c.attachmentsWaiting > 1 ? "attendent" : "attend"}`
      : "",
  ].filter(Boolean);
  return parts.join(", ");
}

/** What "Synchroniser maintenant" did, said in one sentence (offline too). */
export function syncNowMessage(before: SyncCounts, after: SyncCounts): string {
  if (!after.online) {
    const left = waiting(after);
    return left
      ? `Hors ligne : rien n'a pu être envoyé, ${left}. Tout partira au retour du réseau.`
      : "Hors ligne : rien n'a pu être échangé avec le serveur ; aucune demande n'attend d'envoi sur ce poste.";
  }
  const sent = Math.max(0, before.pending - after.pending);
  const filesSent = Math.max(0, before.attachmentsWaiting - after.attachmentsWaiting);
  const did = [
    sent > 0 ? `${requests(sent)} envoyée${sent > 1 ? "s" : ""}` : "",
    filesSent > 0 ? `${files(filesSent)} envoyée${filesSent > 1 ? "s" : ""}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  const left = waiting(after);
  const refused =
    after.rejected > 0
      ? ` ${plural(after.rejected, "demande refusée", "demandes refusées")} par le serveur : voir la liste ci-dessous.`
      : "";
  if (after.lastError) return `Synchronisation incomplète : ${after.lastError}${refused}`;
  if (left)
    return `${did ? `Synchronisé : ${did} ; ` : "Synchronisation en cours : "}${left} encore.${refused}`;
  return `${did ? `Synchronisé : ${did}. ` : "Synchronisé : rien à envoyer. "}Ce poste est à jour avec le serveur.${refused}`;
}
