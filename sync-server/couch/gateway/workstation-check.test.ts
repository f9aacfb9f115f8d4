import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { newWorkstationSecret, WorkstationRegistry } from "../workstation-registry";
import { GatewayRefusal } from "./refusal";
import { checkStatusWrites, checkWorkstation } from "./workstation-check";

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const agent = { authorization: `Basic ${Buffer.from("marie:secret-de-marie").toString("base64")}` };

function setUp(required: boolean) {
  const registry = new WorkstationRegistry(required);
  const a = newWorkstationSecret();
  registry.add("ville", { code: "1AB", secretHash: a.hash });
  registry.addServiceAccounts(["guichet-ville-server"]);
  return { registry, header: `1AB.${a.secret}` };
}

const refusedWith = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof GatewayRefusal) return e.error;
    throw e;
  }
  return "passed";
};

describe("gateway: workstation identity", () => {
  it("refuses a revoked workstation on every route, the login included", () => {
    const { registry, header } = setUp(false);
    registry.revoke("ville", "1AB", { at: "2026-12-06T08:00:00.000Z", by: "chef" });
    for (const path of ["/", "/_session", "/guichet-ville/_changes", "/guichet-ville-log/x"]) {
      expect(
        refusedWith(() =>
          checkWorkstation(req({ ...agent, "x-guichet-workstation": header }), path, registry),
        ),
      ).toBe("workstation_revoked");
    }
  });

  it("learns a revocation made by another process when it reads the records again, and ends requests in flight", () => {
    const { registry, header } = setUp(false);
    const own = req({ ...agent, "x-guichet-workstation": header });
    const identity = checkWorkstation(own, "/guichet-ville/_changes", registry);
    if (identity === "server" || identity.kind !== "valid") throw new Error("valid identity expected");
    let ended = 0;
    registry.track(identity, () => ended++);
    registry.add("ville", {
      code: "1AB",
      secretHash: "ignored",
      revoked: { at: "2026-12-06T08:00:00.000Z", by: "chef" },
    });
    expect(ended).toBe(1);
    expect(refusedWith(() => checkWorkstation(own, "/guichet-ville/_changes", registry))).toBe(
      "workstation_revoked",
    );
  });

  it("requires an identity from agents only when told to, never from the server's own accounts", () => {
    const optional = setUp(false);
    expect(
      refusedWith(() => checkWorkstation(req(agent), "/guichet-ville/_changes", optional.registry)),
    ).toBe("passed");
    const required = setUp(true);
    expect(
      refusedWith(() => checkWorkstation(req(agent), "/guichet-ville/_changes", required.registry)),
    ).toBe("workstation_required");
    expect(refusedWith(() => checkWorkstation(req(agent), "/_session", required.registry))).toBe("passed");
    const server = { authorization: `Basic ${Buffer.from("guichet-ville-server:x").toString("base64")}` };
    expect(
      refusedWith(() => checkWorkstation(req(server), "/guichet-ville/_changes", required.registry)),
    ).toBe("passed");
  });

  it("keeps a workstation to its own commune's databases and its own status document", () => {
    const { registry, header } = setUp(true);
    const own = req({ ...agent, "x-guichet-workstation": header });
    expect(refusedWith(() => checkWorkstation(own, "/guichet-autre/_changes", registry))).toBe("forbidden");
    const identity = checkWorkstation(own, "/guichet-ville-log/_bulk_docs", registry);
    const mine = {
      _id: "workstation-status:1AB",
      type: "workstation_status",
      seenAt: "2000-01-01T00:00:00Z",
    };
    checkStatusWrites(
      { docs: [mine] },
      "/guichet-ville-log/_bulk_docs",
      true,
      identity,
      new Date("2026-12-06T10:00:00Z"),
    );
    expect(mine.seenAt).toBe("2026-12-06T10:00:00.000Z");
    const theirs = { docs: [{ _id: "workstation-status:2CD", type: "workstation_status" }] };
    expect(
      refusedWith(() =>
        checkStatusWrites(theirs, "/guichet-ville-log/_bulk_docs", true, identity, new Date()),
      ),
    ).toBe("forbidden");
    // In the path of a PUT, without an _id in the body.
    expect(
      refusedWith(() =>
        checkStatusWrites(
          { type: "x" },
          "/guichet-ville-log/workstation-status%3A2CD",
          false,
          identity,
          new Date(),
        ),
      ),
    ).toBe("forbidden");
  });
});
