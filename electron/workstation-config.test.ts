import { describe, expect, it } from "vitest";
import {
  connectOriginsOf,
  DEFAULT_CONFIG,
  MAX_COUCH_ORIGINS,
  parseWorkstationConfig,
  salvageWorkstationConfig,
} from "./workstation-config";

const valid = {
  serverUrl: "https://guichet.mairie.fr/",
  workstationName: "  Accueil 1 ",
  communeId: "saint-martin",
  couchOrigins: ["https://couch.mairie.fr:6984", "https://couch.mairie.fr:6984/"],
};

describe("parseWorkstationConfig", () => {
  it("normalises a valid configuration", () => {
    expect(parseWorkstationConfig(valid)).toEqual({
      ok: true,
      config: {
        serverUrl: "https://guichet.mairie.fr",
        workstationName: "Accueil 1",
        communeId: "saint-martin",
        couchOrigins: ["https://couch.mairie.fr:6984"],
      },
    });
  });

  it("accepts the unconfigured defaults", () => {
    expect(parseWorkstationConfig(DEFAULT_CONFIG)).toEqual({ ok: true, config: DEFAULT_CONFIG });
  });

  const errorsOf = (input: unknown) => {
    const r = parseWorkstationConfig(input);
    if (r.ok) throw new Error("should have failed");
    return r.errors;
  };

  it.each([
    [{ serverUrl: "http://guichet.mairie.fr" }, "serverUrl", /https:\/\/ est obligatoire/],
    [{ serverUrl: "file:///C:/Windows" }, "serverUrl", /https/],
    [{ serverUrl: "javascript:alert(1)" }, "serverUrl", /https/],
    [{ serverUrl: `https://a.fr/${"x".repeat(5000)}` }, "serverUrl", /trop longue/],
    [{ serverUrl: 42 }, "serverUrl", /texte attendu/],
    [{ workstationName: "x".repeat(81) }, "workstationName", /80 caractères/],
    [{ workstationName: "x".repeat(100_000) }, "workstationName", /80 caractères/],
    [{ workstationName: "Accueil\u0000" }, "workstationName", /contrôle/],
    [{ workstationName: ["Accueil"] }, "workstationName", /texte attendu/],
    [{ communeId: "Saint Martin" }, "communeId", /minuscules/],
    [{ communeId: "../etc" }, "communeId", /minuscules/],
    [{ couchOrigins: "https://couch.mairie.fr" }, "couchOrigins", /liste/],
    [{ couchOrigins: ["http://couch.lan:5984"] }, "couchOrigins.0", /https/],
    [{ couchOrigins: ["https://couch.mairie.fr/db"] }, "couchOrigins.0", /origine seule/],
    [
      { couchOrigins: Array.from({ length: MAX_COUCH_ORIGINS + 1 }, (_, i) => `https://c${i}.fr`) },
      "couchOrigins",
      /au maximum/,
    ],
  ])("refuses %j", (patch, field, message) => {
    const errors = errorsOf({ ...valid, ...patch });
    expect(errors).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it("refuses unknown fields, prototype tricks included", () => {
    expect(errorsOf({ ...valid, preload: "/tmp/evil.js" })).toEqual([
      { field: "configuration", message: "champ inconnu : preload." },
    ]);
    expect(
      errorsOf(JSON.parse(`{"__proto__": {"x": 1}, ${JSON.stringify(valid).slice(1)}`))[0]?.message,
    ).toMatch(/champ inconnu/);
  });

  it.each([[null], [undefined], ["https://a.fr"], [[valid]], [42]])("refuses a non-object (%j)", (input) => {
    expect(errorsOf(input)[0]?.field).toBe("configuration");
  });

  it("refuses missing fields", () => {
    const { couchOrigins: _, ...partial } = valid;
    expect(errorsOf(partial)).toContainEqual({
      field: "couchOrigins",
      message: expect.stringMatching(/liste/),
    });
  });
});

describe("salvageWorkstationConfig", () => {
  it("keeps the valid fields and defaults the others", () => {
    expect(
      salvageWorkstationConfig({ serverUrl: "http://evil.fr", workstationName: "Accueil 2", extra: true }),
    ).toEqual({ config: { ...DEFAULT_CONFIG, workstationName: "Accueil 2" }, invalid: ["serverUrl"] });
  });

  it("gives the defaults for anything but an object", () => {
    for (const input of [null, 42, "x", [1]]) {
      expect(salvageWorkstationConfig(input)).toEqual({ config: DEFAULT_CONFIG, invalid: [] });
    }
  });
});

describe("connectOriginsOf", () => {
  it("is the server's origin and the CouchDB origins", () => {
    expect(
      connectOriginsOf({
        serverUrl: "https://guichet.mairie.fr/sync",
        workstationName: "",
        communeId: "",
        couchOrigins: ["https://guichet.mairie.fr", "https://couch.mairie.fr"],
      }),
    ).toEqual(["https://guichet.mairie.fr", "https://couch.mairie.fr"]);
    expect(connectOriginsOf(DEFAULT_CONFIG)).toEqual([]);
  });
});
