import { describe, expect, it } from "vitest";
import { buildRequest } from "../../../domain/test-fixtures";
import { couchClient } from "../couch-client";
import { seqOf, withSeq } from "./checkpoints";
import { groupBy, replicationSources, requestRouter } from "./routing";

const auth = { username: "agent.dupont", password: "secret" };

describe("where a request goes", () => {
  const main = couchClient("http://couch/guichet-demo", auth);
  const sources = replicationSources(main, { police_municipale: "http://couch/guichet-demo-s-police" }, auth);

  it("sends a sensitive request to its service's database when the workstation holds it", () => {
    const route = requestRouter(sources, new Set(["ccas"]));
    const police = buildRequest("police_doleance");
    expect(police.sensitive).toBe(true);
    expect(route(police)).toBe(sources[1]);
  });

  it("hands over a sensitive request of a service the workstation may not hold", () => {
    const route = requestRouter(sources, new Set(["ccas"]));
    const ccas = buildRequest("ccas_aide");
    expect(route(ccas)).toBe("handover");
  });

  it("keeps every other request in the main database", () => {
    const route = requestRouter(sources, new Set(["ccas"]));
    expect(route(buildRequest("demande_generale"))).toBe(sources[0]);
  });

  it("groups rows by destination in first-seen order", () => {
    expect([...groupBy([1, 2, 3, 4, 5], (n) => n % 2)]).toEqual([
      [1, [1, 3, 5]],
      [0, [2, 4]],
    ]);
  });
});

describe("checkpoints across databases", () => {
  it("moves one database's position without rewinding the others", () => {
    let cp = withSeq(undefined, "", 10);
    cp = withSeq(cp, "ccas", "5-abc");
    cp = withSeq(cp, "", 12);
    expect(cp).toEqual({ seq: 12, sensitive: { ccas: "5-abc" } });
    expect(seqOf(cp, "ccas")).toBe("5-abc");
    expect(seqOf(cp, "police_municipale")).toBe(0);
  });
});
