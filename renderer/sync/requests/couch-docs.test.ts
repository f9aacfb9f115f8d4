import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION } from "../../../domain/request";
import { buildRequest } from "../../../domain/test-fixtures";
import { fromCouch, requestsIn, toCouch } from "./couch-docs";

const r = buildRequest("demande_generale");

describe("requests between CouchDB and the local database", () => {
  it("goes to CouchDB without RxDB's own fields, with its revision and deletion", () => {
    const local = { ...r, _rev: "1-local", _meta: { lwt: 1 }, _attachments: {}, _deleted: true };
    const doc = toCouch(local, "3-server");
    expect(doc).toMatchObject({ _id: r.id, _rev: "3-server", _deleted: true });
    expect(doc).not.toHaveProperty("_meta");
    expect(doc).not.toHaveProperty("_attachments");
  });

  it("comes back as the same request", () => {
    expect(fromCouch(toCouch(r, "1-a"))).toEqual({ ...r, _deleted: false });
  });

  it("turns a deletion stub into a tombstone the indexes accept", () => {
    expect(fromCouch({ _id: r.id, _rev: "2-x", _deleted: true })).toMatchObject({
      id: r.id,
      _deleted: true,
      open: false,
      service: "",
    });
  });

  it("brings a document of the first pilot's shape to today's schema as it arrives", () => {
    const { citizen, schemaVersion, ...rest } = r;
    const old = { ...rest, citizen: { ...citizen }, citizenName: "Martin Léa", channel: "web", _id: r.id };
    delete (old as Record<string, unknown>).id;
    const now = fromCouch(old as never);
    expect(now.schemaVersion).toBe(SCHEMA_VERSION);
    expect(now.channel).toBe("en_ligne");
    expect(now.citizen).toMatchObject({ lastName: "Martin", firstName: "Léa" });
  });

  it("skips the design documents of a _changes page", () => {
    const docs = requestsIn([
      { id: "_design/guichet", seq: 1, doc: { _id: "_design/guichet" } },
      { id: r.id, seq: 2, doc: toCouch(r, "1-a") },
      { id: "no-doc", seq: 3 },
    ]);
    expect(docs.map((d) => d.id)).toEqual([r.id]);
  });
});
