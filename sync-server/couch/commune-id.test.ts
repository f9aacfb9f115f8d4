import { describe, expect, it } from "vitest";
import { communeIdProblem, isCommuneDatabase } from "./commune-id";

describe("commune ids", () => {
  it("refuse ids whose databases or roles could be taken for another commune's", () => {
    for (const id of ["a-config", "a-log", "a-server", "a-s", "a-s-b", "commune", "service", "sensitive"])
      expect(communeIdProblem(id), id).toMatch(/réservé/);
    for (const id of ["A", "a", "a_b", "-a"]) expect(communeIdProblem(id), id).toMatch(/invalide/);
    expect(communeIdProblem("mairie-b")).toBeNull();
  });

  it("name a commune's databases exactly, never another commune's that shares a prefix", () => {
    for (const name of [
      "guichet-a",
      "guichet-a-config",
      "guichet-a-log",
      "guichet-a-server",
      "guichet-a-s-ccas",
    ])
      expect(isCommuneDatabase(name, "a"), name).toBe(true);
    for (const name of ["guichet-a-b", "guichet-a-b-config", "guichet-ab", "guichet_communes", "_users"])
      expect(isCommuneDatabase(name, "a"), name).toBe(false);
  });
});
