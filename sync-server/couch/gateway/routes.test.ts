import { describe, expect, it } from "vitest";
import { routeAccess } from "./routes";

const kind = (method: string, path: string) => routeAccess(method, path).kind;

describe("the database port's allowlist", () => {
  it("opens what workstations and the server's accounts use", () => {
    expect(kind("GET", "/")).toBe("open");
    expect(kind("GET", "/_up")).toBe("open");
    for (const m of ["GET", "POST", "DELETE"]) expect(kind(m, "/_session")).toBe("open");
    expect(kind("GET", "/guichet-demo")).toBe("open");
    expect(kind("GET", "/guichet-demo/")).toBe("open");
    expect(kind("GET", "/guichet-demo/_changes")).toBe("open");
    expect(kind("POST", "/guichet-demo/_all_docs")).toBe("open");
    expect(kind("POST", "/guichet-demo/_bulk_get")).toBe("open");
    expect(kind("POST", "/guichet-demo/_revs_diff")).toBe("open");
    expect(kind("POST", "/guichet-demo/_find")).toBe("open");
    expect(kind("GET", "/guichet-demo/K7M00001")).toBe("open");
    expect(kind("DELETE", "/guichet-demo/K7M00001")).toBe("open");
    expect(kind("GET", "/guichet-demo/_design/guichet")).toBe("open");
    expect(kind("PUT", "/guichet-demo/_local/3b1f0c9e")).toBe("open");
  });

  it("reads the body of document writes first", () => {
    expect(routeAccess("PUT", "/guichet-demo/K7M00001")).toEqual({ kind: "write", bulk: false });
    expect(routeAccess("POST", "/guichet-demo")).toEqual({ kind: "write", bulk: false });
    expect(routeAccess("POST", "/guichet-demo/_bulk_docs")).toEqual({ kind: "write", bulk: true });
  });

  it("gives a user their own _users document, nothing else of _users", () => {
    expect(routeAccess("GET", "/_users/org.couchdb.user:agent")).toEqual({ kind: "own-user", name: "agent" });
    expect(routeAccess("GET", "/_users/org.couchdb.user%3Aagent")).toEqual({
      kind: "own-user",
      name: "agent",
    });
    for (const [m, p] of [
      ["PUT", "/_users/org.couchdb.user:agent"],
      ["POST", "/_users/_find"],
      ["GET", "/_users/_all_docs"],
      ["GET", "/_users"],
      ["PUT", "/_users"],
    ] as const)
      expect(kind(m, p), `${m} ${p}`).toBe("admin");
  });

  it("keeps everything else to the server admin, however the path is spelled", () => {
    const probes: [string, string][] = [
      ["POST", "/_replicate"],
      ["PUT", "/_replicator/x"],
      ["GET", "/_all_dbs"],
      ["GET", "/_config"],
      ["GET", "/_utils/"],
      ["PUT", "/anything"],
      ["DELETE", "/guichet-demo"],
      ["POST", "/guichet-demo/_index"],
      ["POST", "/guichet-demo/_explain"],
      ["PUT", "/guichet-demo/_security"],
      ["GET", "/guichet-demo/_local_docs"],
      ["PUT", "/guichet-demo/_design/x"],
      ["PUT", "/guichet-demo/_design%2Fx"],
      ["GET", "/guichet-demo/_design/guichet/_show/x"],
      ["GET", "/guichet-demo/_design%2Fguichet/_view/x"],
      ["POST", "/guichet-demo/_temp_view"],
      ["PUT", "/guichet-demo/_local/guichet-config-reload"],
      ["PUT", "/guichet-demo/_local%2Fguichet-config-reload"],
      ["PUT", "/guichet-demo/K7M00001/scan.pdf"],
      ["GET", "/guichet-demo/%E0%A4%A"],
      ["GET", "/guichet-demo/../_users/_all_docs"],
      ["GET", "/guichet-demo//_all_docs"],
      ["GET", "/%5Fall_dbs"],
    ];
    for (const [m, p] of probes) expect(kind(m, p), `${m} ${p}`).toBe("admin");
  });
});
