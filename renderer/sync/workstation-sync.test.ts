import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import type { WorkstationConfig } from "../db/settings-store";
import type { SyncStatus } from "./request-replication";
import { requestReplicationTargets, requestsJustArrived, syncPlan, syncView } from "./workstation-sync";

const config = {
  couchUrl: "https://couch.mairie.fr",
  databases: { main: "guichet-demo", log: "guichet-demo-log", sensitive: { ccas: "guichet-demo-s-ccas" } },
  catalogue: DEFAULT_CATALOGUE,
} as unknown as WorkstationConfig;

const status = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  online: true,
  pending: 0,
  rejected: 0,
  lastSyncAt: null,
  lastError: null,
  ...over,
});

describe("the workstation's sync plan", () => {
  it("replicates the sensitive databases held and hands over the other sensitive services", () => {
    const targets = requestReplicationTargets(syncPlan(config, "https://guichet.mairie.fr/"));
    expect(targets.dbUrl).toBe("https://couch.mairie.fr/guichet-demo");
    expect(targets.sensitiveDbUrls).toEqual({ ccas: "https://couch.mairie.fr/guichet-demo-s-ccas" });
    expect(targets.handover).toEqual({
      url: "https://guichet.mairie.fr/api/v1/handovers",
      services: ["police_municipale"],
    });
    expect(targets.logDbUrl).toBe("https://couch.mairie.fr/guichet-demo-log");
  });

  it("is the same plan for a refreshed config with the same content", () => {
    expect(JSON.stringify(syncPlan({ ...config }, "https://guichet.mairie.fr"))).toBe(
      JSON.stringify(syncPlan(config, "https://guichet.mairie.fr/")),
    );
  });
});

describe("the status the screens show", () => {
  it("is offline as soon as the browser says so, and shows the uploads' error when sync has none", () => {
    const view = syncView(status(), { waiting: 2, lastError: "Pièce refusée" }, false);
    expect(view).toMatchObject({
      online: false,
      started: true,
      attachmentsWaiting: 2,
      lastError: "Pièce refusée",
    });
  });

  it("lets the attachments follow once the requests have all reached the server", () => {
    expect(requestsJustArrived(null, status())).toBe(true);
    expect(requestsJustArrived(status({ pending: 3 }), status())).toBe(true);
    expect(requestsJustArrived(status(), status())).toBe(false);
    expect(requestsJustArrived(status({ pending: 3 }), status({ pending: 1 }))).toBe(false);
    expect(requestsJustArrived(status({ online: false }), status({ online: false }))).toBe(false);
  });
});

describe("a fresh workstation's status", () => {
  it("is not started (« connexion ») until the server answered or failed, unless the browser is offline", () => {
    const fresh = status({ online: false });
    expect(syncView(fresh, { waiting: 0, lastError: null }, true).started).toBe(false);
    expect(syncView(fresh, { waiting: 0, lastError: null }, false).started).toBe(true);
    expect(
      syncView(status({ online: false, lastError: "x" }), { waiting: 0, lastError: null }, true).started,
    ).toBe(true);
    expect(syncView(status(), { waiting: 0, lastError: null }, true).started).toBe(true);
  });
});
