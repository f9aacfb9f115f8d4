import { describe, expect, it } from "vitest";
import { CouchHttpError } from "./couch-client";
import { NetworkError } from "./http";
import {
  isNetworkFailure,
  NETWORK_MESSAGE,
  type SyncCounts,
  syncErrorMessage,
  syncNowMessage,
} from "./sync-messages";

const counts = (over: Partial<SyncCounts> = {}): SyncCounts => ({
  online: true,
  pending: 0,
  attachmentsWaiting: 0,
  rejected: 0,
  lastError: null,
  ...over,
});

describe("sync error messages", () => {
  it("never show the browser's English: a failed fetch, even flattened by RxDB, is the network", () => {
    for (const err of [
      new TypeError("Failed to fetch"),
      new NetworkError("Failed to fetch"),
      { name: "NetworkError", message: "Failed to fetch" },
      { name: "Error", message: "NetworkError when attempting to fetch resource." },
      JSON.parse(JSON.stringify({ name: "TypeError", message: "Load failed" })),
    ]) {
      expect(isNetworkFailure(err)).toBe(true);
      expect(syncErrorMessage(err)).toBe(NETWORK_MESSAGE);
    }
  });

  it("say refusals in French and keep an unknown error's English out", () => {
    expect(
      syncErrorMessage(new CouchHttpError(401, "unauthorized", "Name or password is incorrect.")),
    ).toMatch(/^Identifiant ou mot de passe refusé/);
    expect(syncErrorMessage(new CouchHttpError(500, "error", "badarg"))).not.toContain("badarg");
    const odd = syncErrorMessage(new Error("Cannot read properties of undefined"));
    expect(odd).toMatch(/^Erreur inattendue pendant la synchronisation/);
    expect(odd).not.toContain("Cannot");
    expect(isNetworkFailure(new Error("conflict"))).toBe(false);
  });
});

describe("what « Synchroniser maintenant » says", () => {
  it("says offline that nothing could leave and how much waits", () => {
    expect(syncNowMessage(counts({ pending: 2 }), counts({ online: false, pending: 2 }))).toBe(
      "Hors ligne : rien n'a pu être envoyé, 2 demandes attendent. Tout partira au retour du réseau.",
    );
    expect(syncNowMessage(counts(), counts({ online: false, pending: 1, attachmentsWaiting: 3 }))).toBe(
      "Hors ligne : rien n'a pu être envoyé, 1 demande attend, 3 pièces jointes attendent. Tout partira au retour du réseau.",
    );
    expect(syncNowMessage(counts(), counts({ online: false }))).toMatch(
      /^Hors ligne : rien n'a pu être échangé/,
    );
  });

  it("counts what left when online, and what still waits", () => {
    expect(syncNowMessage(counts({ pending: 3, attachmentsWaiting: 1 }), counts())).toBe(
      "Synchronisé : 3 demandes envoyées, 1 pièce jointe envoyée. Ce poste est à jour avec le serveur.",
    );
    expect(syncNowMessage(counts(), counts())).toBe(
      "Synchronisé : rien à envoyer. Ce poste est à jour avec le serveur.",
    );
    expect(syncNowMessage(counts({ pending: 5 }), counts({ pending: 2 }))).toBe(
      "Synchronisé : 3 demandes envoyées ; 2 demandes attendent encore.",
    );
  });

  it("points to the refused requests and to an error", () => {
    expect(syncNowMessage(counts({ pending: 1 }), counts({ rejected: 1 }))).toContain(
      "1 demande refusée par le serveur : voir la liste ci-dessous.",
    );
    expect(
      syncNowMessage(
        counts(),
        counts({ lastError: "Ce compte n'a pas accès aux demandes de cette commune." }),
      ),
    ).toBe("Synchronisation incomplète : Ce compte n'a pas accès aux demandes de cette commune.");
  });
});
