import { describe, expect, it } from "vitest";
import { project, withEvents } from "../../../domain/history";
import { requestSchema } from "../../../domain/request";
import { buildRequest, CATALOGUE, ev, WS_A } from "../../../domain/test-fixtures";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { agentsSeen, canSupervise, checkAgentName, planReassignment, sameDatabase } from "./reassign";

const WHO = { username: "chef.martin", workstation: WS_A };
const AT = "2026-03-20T10:00:00.000Z";
const req = (n: number, demarche = "demande_generale") =>
  buildRequest(demarche, { ctx: { tracking: makeTrackingNumber(WS_A, n) } });

describe("who may reassign in bulk", () => {
  it("is the supervisor (and the admin, who holds the supervisor role), not the agents", () => {
    expect(canSupervise(["supervisor"])).toBe(true);
    expect(canSupervise(["agent", "service_agent"])).toBe(false);
    expect(canSupervise([])).toBe(false);
  });
});

describe("planReassignment", () => {
  it("writes one assigned event per request, signed by the supervisor, that the history projects", () => {
    const requests = [req(1), req(2), req(3)];
    const plan = planReassignment(
      requests,
      { service: "etat_civil", assignee: "agent.b" },
      CATALOGUE,
      WHO,
      AT,
    );
    expect(plan.skipped).toEqual([]);
    expect(plan.changes.map((c) => c.id)).toEqual(requests.map((r) => r.id));
    for (const [i, change] of plan.changes.entries()) {
      expect(change.events).toHaveLength(1);
      expect(change.events[0]).toMatchObject({
        kind: "assigned",
        service: "etat_civil",
        assignee: "agent.b",
        by: "chef.martin",
        workstation: WS_A,
        at: AT,
      });
      const after = withEvents(requests[i]!, change.events);
      expect(requestSchema.safeParse(after).success).toBe(true);
      expect(project(after)).toMatchObject({
        service: "etat_civil",
        assignee: "agent.b",
        status: "assigned",
      });
    }
  });

  it("keeps each request's service when none is chosen", () => {
    const a = req(1);
    const b = withEvents(req(2), [ev.assigned("2026-03-13T09:00:00.000Z", "etat_civil", "agent.a")]);
    const plan = planReassignment([a, b], { assignee: "agent.c" }, CATALOGUE, WHO, AT);
    expect(plan.changes.map((c) => c.events[0])).toMatchObject([
      { service: a.service, assignee: "agent.c" },
      { service: "etat_civil", assignee: "agent.c" },
    ]);
  });

  it("adds the supervisor's note beside the assignment when one is given", () => {
    const plan = planReassignment(
      [req(1)],
      { assignee: "agent.c", note: "  Congé maladie  " },
      CATALOGUE,
      WHO,
      AT,
    );
    expect(plan.changes[0]?.events.map((e) => e.kind)).toEqual(["assigned", "note"]);
    expect(plan.changes[0]?.events[1]).toMatchObject({ text: "Congé maladie" });
  });

  it("skips closed requests, requests already so assigned, and moves across a sensitive service's database", () => {
    const closed = withEvents(req(1), [ev.status("2026-03-13T09:00:00.000Z", "received", "cancelled")]);
    const already = withEvents(req(2), [ev.assigned("2026-03-13T09:00:00.000Z", "accueil", "agent.c")]);
    const ccas = req(3, "ccas_aide");
    const fine = req(4);
    const plan = planReassignment(
      [closed, already, ccas, fine],
      { service: "accueil", assignee: "agent.c" },
      CATALOGUE,
      WHO,
      AT,
    );
    expect(plan.skipped).toEqual([
      { id: closed.id, reason: "closed" },
      { id: already.id, reason: "unchanged" },
      { id: ccas.id, reason: "sensitive" },
    ]);
    expect(plan.changes.map((c) => c.id)).toEqual([fine.id]);
    // Within its own sensitive service, a request can change agent.
    expect(planReassignment([ccas], { assignee: "agent.c" }, CATALOGUE, WHO, AT).changes).toHaveLength(1);
  });

  it("knows which services share a database", () => {
    expect(sameDatabase(CATALOGUE, "accueil", "etat_civil")).toBe(true);
    expect(sameDatabase(CATALOGUE, "ccas", "ccas")).toBe(true);
    expect(sameDatabase(CATALOGUE, "accueil", "ccas")).toBe(false);
    expect(sameDatabase(CATALOGUE, "police_municipale", "ccas")).toBe(false);
  });
});

describe("agent names", () => {
  it("accepts account identifiers, lower-cased, and empty for nobody", () => {
    expect(checkAgentName("  Agent.B ")).toEqual({ ok: true, name: "agent.b" });
    expect(checkAgentName("")).toEqual({ ok: true, name: "" });
    expect(checkAgentName("=HYPERLINK(1)")).toEqual({ ok: false });
    expect(checkAgentName("jean dupont")).toEqual({ ok: false });
  });

  it("offers the assignees and the authors of agents' actions, not the portal or the server", () => {
    const online = buildRequest("demande_generale", {
      ctx: { tracking: makeTrackingNumber(WS_A, 9), by: "portal" },
    });
    const handled = withEvents(req(10), [
      ev.assigned("2026-03-13T09:00:00.000Z", "accueil", "agent.b", { by: "chef.martin" }),
      ev.note("2026-03-13T10:00:00.000Z", "Rappelé", { by: "agent.a" }),
      ev.arSent("2026-03-13T10:00:00.000Z", "email", "x@example.org", { by: "server" }),
    ]);
    expect(agentsSeen([online, handled])).toEqual(["agent.a", "agent.b", "chef.martin"]);
  });
});
