import { describe, expect, it } from "vitest";
import { withEvents } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { anonymise } from "../../domain/retention";
import { buildRequest, ev, WS_B } from "../../domain/test-fixtures";
import { planMerge } from "./conflict-merger";

type Stored = GuichetRequest & { _id: string; _rev: string; _conflicts?: string[] };

const base = buildRequest("acte_naissance");
const stored = (r: GuichetRequest, rev: string): Stored => ({ ...r, _id: r.id, _rev: rev });
const ids = (r: GuichetRequest) => r.events.map((e) => e.id).sort();

describe("conflict merger: the merge decision", () => {
  const noteA = ev.note("2026-03-12T09:00:00.000Z", "Appel du demandeur");
  const moveB = ev.status("2026-03-12T09:01:00.000Z", "received", "in_progress", {
    by: "agent.martin",
    workstation: WS_B,
  });
  const winner = stored(withEvents(base, [noteA]), "2-aaa");
  const loser = stored(withEvents(base, [moveB]), "2-bbb");

  it("writes both branches' events on the winning revision and deletes the losing leaf", () => {
    const plan = planMerge({ ...winner, _conflicts: ["2-bbb"] }, [loser]);
    expect(plan.winner?._rev).toBe("2-aaa");
    expect(plan.winner?._id).toBe(base.id);
    expect(plan.winner && ids(plan.winner)).toEqual(
      [...base.events.map((e) => e.id), noteA.id, moveB.id].sort(),
    );
    // The projection follows the merged history (the losing branch's move).
    expect(plan.winner?.status).toBe("in_progress");
    expect(plan.winner).not.toHaveProperty("_conflicts");
    expect(plan.deletions).toEqual([{ _id: base.id, _rev: "2-bbb", _deleted: true }]);
  });

  it("rewrites nothing once the winner holds every event (second run, or a run stopped between its writes)", () => {
    const merged = planMerge(winner, [loser]).winner as Stored;
    const again = planMerge({ ...merged, _rev: "3-ccc" }, [loser]);
    expect(again.winner).toBeNull();
    expect(again.deletions).toEqual([{ _id: base.id, _rev: "2-bbb", _deleted: true }]);
  });

  it("lets anonymisation win, whichever leaf holds it", () => {
    const anonymised = stored(
      anonymise(withEvents(base, [moveB]), "2026-03-12T09:02:00.000Z", "serveur", "SRV"),
      "2-bbb",
    );
    for (const plan of [planMerge(winner, [anonymised]), planMerge(anonymised, [winner])]) {
      expect(plan.winner?.anonymised).toBe(true);
      expect(plan.winner?.citizen.email).toBeUndefined();
      // The other branch's note is kept, its words scrubbed.
      expect(plan.winner?.events.find((e) => e.id === noteA.id)).toMatchObject({ kind: "note", text: "—" });
    }
  });

  it("merges three leaves into the same document whatever the order", () => {
    const third = stored(withEvents(base, [ev.note("2026-03-12T09:03:00.000Z", "Dossier complet")]), "2-ccc");
    const one = planMerge(winner, [loser, third]).winner;
    const other = planMerge(winner, [third, loser]).winner;
    expect(one).toStrictEqual(other);
    expect(one && ids(one)).toHaveLength(base.events.length + 3);
  });
});
