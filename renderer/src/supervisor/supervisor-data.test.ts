import { describe, expect, it } from "vitest";
import { withEvents } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { buildRequest, CATALOGUE, ev, WS_A } from "../../../domain/test-fixtures";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import { localDataPerTest } from "../../db/local-data.test-support";
import { planQueue } from "../../db/queues";
import { syncLedger } from "../../db/sync-ledger";
import { readAll } from "../shared/queue-queries";
import { planReassignment } from "./reassign";
import { applyPlan, currentRequests, knownAgents, openRequestsOf } from "./supervisor-data";

const data = localDataPerTest();

const AT = "2026-03-13T09:00:00.000Z";
function request(seq: number, demarche: string, assignee?: string): GuichetRequest {
  const r = buildRequest(demarche, {
    ctx: {
      tracking: makeTrackingNumber(WS_A, seq),
      now: `2026-03-${String(1 + (seq % 28)).padStart(2, "0")}T08:30:00.000Z`,
    },
  });
  return assignee ? withEvents(r, [ev.assigned(AT, r.service, assignee, { by: "chef.martin" })]) : r;
}

describe("reading a whole queue", () => {
  it("reads every match of a filtered queue, past the first pages, in the list's order", async () => {
    const d = await data();
    const docs = Array.from({ length: 130 }, (_, i) =>
      request(i + 1, i % 3 === 0 ? "demande_generale" : "aide_restauration_scolaire"),
    );
    await d.repo.bulkInsert(docs);
    const q = planQueue(
      "open",
      { demarche: "aide_restauration_scolaire" },
      {
        myService: "accueil",
        today: "2026-03-15",
        soonDays: 15,
      },
    );
    const all = await readAll(d, q, 20);
    const expected = docs.filter((r) => r.demarche === "aide_restauration_scolaire");
    expect(all).toHaveLength(expected.length);
    expect(new Set(all.map((r) => r.id))).toEqual(new Set(expected.map((r) => r.id)));
    const keys = all.map((r) => `${r.dueOn}|${r.id}`);
    expect(keys).toEqual([...keys].sort());
  });
});

describe("an absent agent's requests", () => {
  it("finds the open requests of one agent in one service only", async () => {
    const d = await data();
    const mine = [request(1, "demande_generale", "agent.x"), request(2, "demande_generale", "agent.x")];
    const closed = withEvents(request(3, "demande_generale", "agent.x"), [
      ev.status("2026-03-14T09:00:00.000Z", "assigned", "cancelled", { by: "chef.martin" }),
    ]);
    const elsewhere = request(4, "aide_restauration_scolaire", "agent.x");
    const someoneElse = request(5, "demande_generale", "agent.y");
    await d.repo.bulkInsert([...mine, closed, elsewhere, someoneElse]);
    const found = await openRequestsOf(d, "accueil", "agent.x");
    expect(found.map((r) => r.id).sort()).toEqual(mine.map((r) => r.id).sort());
    expect(await knownAgents(d, "accueil")).toEqual(["agent.x", "agent.y", "chef.martin"]);
    expect(await knownAgents(d, undefined)).toEqual(["agent.x", "agent.y", "chef.martin"]);
  });

  it("writes the reassignment through the repository: validated, projected and marked for sync", async () => {
    const d = await data();
    const docs = [request(1, "demande_generale", "agent.x"), request(2, "demande_generale", "agent.x")];
    await d.repo.bulkInsert(docs);
    await (await syncLedger(d.db)).clearPending(docs.map((r) => r.id));
    const who = { username: "chef.martin", workstation: WS_A };
    const found = await openRequestsOf(d, "accueil", "agent.x");
    const plan = planReassignment(found, { assignee: "agent.y" }, CATALOGUE, who, "2026-03-20T10:00:00.000Z");
    const result = await applyPlan(d.repo, plan);
    expect(result).toEqual({ done: docs.map((r) => r.id), failed: [] });
    expect(await openRequestsOf(d, "accueil", "agent.x")).toEqual([]);
    const after = await currentRequests(
      d.repo,
      docs.map((r) => r.id),
    );
    for (const r of after) {
      expect(r.assignee).toBe("agent.y");
      expect(r.events.at(-1)).toMatchObject({ kind: "assigned", by: "chef.martin", assignee: "agent.y" });
    }
    const pending = await (await syncLedger(d.db)).pendingIds();
    expect(pending.sort()).toEqual(docs.map((r) => r.id).sort());
  });

  it("reports a request the repository refuses and still writes the others", async () => {
    const d = await data();
    const docs = [request(1, "demande_generale"), request(2, "demande_generale")];
    await d.repo.bulkInsert([docs[1]!]);
    // docs[0] is not on this workstation: its write fails, docs[1]'s goes through.
    const plan = planReassignment(docs, { assignee: "agent.y" }, CATALOGUE, {
      username: "chef.martin",
      workstation: WS_A,
    });
    const result = await applyPlan(d.repo, plan);
    expect(result.done).toEqual([docs[1]!.id]);
    expect(result.failed).toEqual([{ id: docs[0]!.id, message: expect.stringMatching(/introuvable/) }]);
  });
});
