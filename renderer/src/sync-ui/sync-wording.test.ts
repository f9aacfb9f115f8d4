import { describe, expect, it } from "vitest";
import { IDLE_SYNC, type SyncView } from "../../sync/workstation-sync";
import { syncBarText } from "./sync-wording";

const view = (over: Partial<SyncView>): SyncView => ({ ...IDLE_SYNC, ...over });
const time = () => "10:42";

describe("the sync bar's wording", () => {
  it("says a fresh workstation is connecting, not « Hors ligne · Tout est synchronisé · Pas encore synchronisé »", () => {
    expect(syncBarText(view({ started: false }), time)).toEqual({
      state: "connecting",
      label: "Connexion au serveur…",
      pending: null,
      last: null,
    });
  });

  it("says « Tout est synchronisé » only once the server was reached", () => {
    const t = syncBarText(view({ started: true, online: true, lastSyncAt: "2026-12-06T09:42:00Z" }), time);
    expect([t.label, t.pending, t.last]).toEqual([
      "En ligne",
      "Tout est synchronisé",
      "Dernière synchronisation : 10:42",
    ]);
  });

  it("offline, counts what waits and says plainly that no sync happened yet", () => {
    const t = syncBarText(view({ started: true, online: false, pending: 0 }), time);
    expect([t.label, t.pending, t.last]).toEqual([
      "Hors ligne",
      "Aucune demande en attente d'envoi",
      "Pas encore synchronisé depuis l'ouverture de la session",
    ]);
    expect(syncBarText(view({ started: true, pending: 2 }), time).pending).toBe(
      "2 demandes en attente d'envoi",
    );
  });
});
