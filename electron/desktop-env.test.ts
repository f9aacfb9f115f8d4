import { describe, expect, it } from "vitest";
import { applyLaunchSeed, DESKTOP_ENV, readLaunchSeed } from "./desktop-env";
import { DEFAULT_CONFIG } from "./workstation-config";

describe("readLaunchSeed", () => {
  it("reads the environment", () => {
    expect(
      readLaunchSeed(
        {
          [DESKTOP_ENV.serverUrl]: "http://127.0.0.1:3000/",
          [DESKTOP_ENV.couchOrigins]: "http://127.0.0.1:5984, http://127.0.0.1:5984,",
        },
        [],
      ),
    ).toEqual({ serverUrl: "http://127.0.0.1:3000", couchOrigins: ["http://127.0.0.1:5984"], warnings: [] });
  });

  it("prefers the command line", () => {
    const seed = readLaunchSeed({ [DESKTOP_ENV.serverUrl]: "http://127.0.0.1:3000" }, [
      "electron",
      ".",
      "--guichet-server-url=https://guichet.mairie.fr",
      "--guichet-couch-origins=https://couch.mairie.fr",
    ]);
    expect(seed).toMatchObject({
      serverUrl: "https://guichet.mairie.fr",
      couchOrigins: ["https://couch.mairie.fr"],
    });
  });

  it("drops invalid values with a warning", () => {
    const seed = readLaunchSeed(
      { [DESKTOP_ENV.serverUrl]: "http://evil.fr", [DESKTOP_ENV.couchOrigins]: "file:///etc,https://ok.fr" },
      [],
    );
    expect(seed.serverUrl).toBeUndefined();
    expect(seed.couchOrigins).toEqual(["https://ok.fr"]);
    expect(seed.warnings).toHaveLength(2);
  });

  it("is empty without anything", () => {
    expect(readLaunchSeed({}, [])).toEqual({ couchOrigins: [], warnings: [] });
  });
});

describe("applyLaunchSeed", () => {
  const seed = { serverUrl: "http://127.0.0.1:3000", couchOrigins: ["http://127.0.0.1:5984"], warnings: [] };

  it("configures a new workstation", () => {
    expect(applyLaunchSeed(DEFAULT_CONFIG, seed)).toEqual({
      ...DEFAULT_CONFIG,
      serverUrl: "http://127.0.0.1:3000",
      couchOrigins: ["http://127.0.0.1:5984"],
    });
  });

  it("leaves a workstation configured for another server alone", () => {
    expect(applyLaunchSeed({ ...DEFAULT_CONFIG, serverUrl: "https://guichet.mairie.fr" }, seed)).toBeNull();
  });

  it("adds new CouchDB origins for the same server, and nothing when all is known", () => {
    const current = {
      ...DEFAULT_CONFIG,
      serverUrl: "http://127.0.0.1:3000",
      couchOrigins: ["https://couch.fr"],
    };
    expect(applyLaunchSeed(current, seed)?.couchOrigins).toEqual([
      "https://couch.fr",
      "http://127.0.0.1:5984",
    ]);
    expect(applyLaunchSeed({ ...current, couchOrigins: ["http://127.0.0.1:5984"] }, seed)).toBeNull();
  });

  it("does nothing without a server", () => {
    expect(applyLaunchSeed(DEFAULT_CONFIG, { couchOrigins: ["https://couch.fr"], warnings: [] })).toBeNull();
  });
});
