import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { migrateRequest } from "./migrations";
import { requestSchema } from "./request";
import { buildRequest } from "./test-fixtures";

/** The first pilot's shape: one `citizenName` string, channel "web", no schemaVersion. */
function versionZero(citizenName: string | undefined, channel = "web") {
  const {
    schemaVersion: _v,
    citizen,
    ...rest
  } = buildRequest("demande_generale", {
    content: { citizen: { firstName: "Léa", lastName: "Martin", email: "lea.martin@example.org" } },
  });
  const { firstName: _f, lastName: _l, ...contact } = citizen;
  return { ...rest, citizen: contact, channel, ...(citizenName === undefined ? {} : { citizenName }) };
}

describe("migrateRequest", () => {
  it("turns a version-0 document into a valid version-1 request", () => {
    const v0 = versionZero("MARTIN Léa Jeanne");
    const v1 = migrateRequest(v0);
    expect(v1.schemaVersion).toBe(1);
    expect(v1.citizen).toEqual({
      lastName: "MARTIN",
      firstName: "Léa Jeanne",
      email: "lea.martin@example.org",
    });
    expect(v1.channel).toBe("en_ligne");
    expect(v1).not.toHaveProperty("citizenName");
    expect(requestSchema.parse(v1)).toStrictEqual(v1);
  });

  it("keeps a version-0 channel other than web", () => {
    expect(migrateRequest({ ...versionZero("Martin Léa", "guichet"), schemaVersion: 0 }).channel).toBe(
      "guichet",
    );
  });

  it("gives a one-word name a placeholder first name", () => {
    expect(migrateRequest(versionZero("  Martin  ")).citizen).toMatchObject({
      lastName: "Martin",
      firstName: "-",
    });
  });

  it("refuses, through the schema, a version-0 document without a name", () => {
    expect(() => migrateRequest(versionZero(undefined))).toThrow(ZodError);
  });

  it("returns a current document as it is, validated", () => {
    const r = buildRequest("demande_generale");
    expect(migrateRequest(r)).toStrictEqual(r);
    expect(() => migrateRequest({ ...r, channel: "web" })).toThrow(ZodError);
  });

  it("refuses a document from a newer application with a French message", () => {
    const r = buildRequest("demande_generale");
    expect(() => migrateRequest({ ...r, schemaVersion: 2 })).toThrow(
      `Document ${r.id} en version 2, plus récente que cette application : mettez-la à jour.`,
    );
  });

  it("throws when no step migrates from the document's version", () => {
    expect(() => migrateRequest({ ...versionZero("Martin Léa"), schemaVersion: -1 })).toThrow(
      "Aucune migration depuis la version -1.",
    );
  });
});
