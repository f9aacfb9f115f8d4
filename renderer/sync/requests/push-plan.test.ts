import { describe, expect, it } from "vitest";
import { withEvents } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { buildRequest, ev, WS_A } from "../../../domain/test-fixtures";
import { makeTrackingNumber } from "../../../domain/tracking-number";
import type { AllDocsRow } from "../couch-client";
import { toCouch } from "./couch-docs";
import { planWrites, settleRetries, sortBulkResults } from "./push-plan";

const request = (seq: number): GuichetRequest =>
  buildRequest("demande_generale", { ctx: { tracking: makeTrackingNumber(WS_A, seq) } });
const noted = (r: GuichetRequest, text: string) => withEvents(r, [ev.note("2026-03-12T10:00:00.000Z", text)]);
const onServer = (doc: GuichetRequest, rev: string, deleted = false): AllDocsRow => ({
  key: doc.id,
  id: doc.id,
  value: { rev, ...(deleted ? { deleted } : {}) },
  doc: deleted ? null : toCouch(doc, rev),
});

describe("planning a push", () => {
  it("writes new requests without asking the server and updates with the revision they replace", () => {
    const fresh = request(1);
    const known = request(2);
    const plan = planWrites(
      [{ newDocumentState: fresh }, { newDocumentState: noted(known, "rappel"), assumedMasterState: known }],
      [onServer(known, "1-abc")],
    );
    expect(plan.toWrite.map((r) => r.newDocumentState.id)).toEqual([known.id, fresh.id]);
    expect([...plan.revs]).toEqual([[known.id, "1-abc"]]);
    expect(plan.conflicts).toEqual([]);
  });

  it("reports the server's state as a conflict when someone else changed it meanwhile", () => {
    const base = request(3);
    const theirs = noted(base, "changé ailleurs");
    const plan = planWrites(
      [{ newDocumentState: noted(base, "changé ici"), assumedMasterState: base }],
      [onServer(theirs, "2-def")],
    );
    expect(plan.toWrite).toEqual([]);
    expect(plan.conflicts.map((d) => d.events.length)).toEqual([theirs.events.length]);
  });

  it("writes an update as new when the server lost or deleted the document", () => {
    const base = request(4);
    const plan = planWrites(
      [{ newDocumentState: noted(base, "x"), assumedMasterState: base }],
      [onServer(base, "3-gone", true)],
    );
    expect(plan.toWrite).toHaveLength(1);
    expect(plan.revs.size).toBe(0);
  });
});

describe("reading _bulk_docs' answer", () => {
  it("matches rows by id, whatever their order, and keeps the refusal's reason apart from conflicts", () => {
    const [a, b, c] = [request(5), request(6), request(7)];
    const rows = [a, b, c].map((d) => ({ newDocumentState: d }));
    const sorted = sortBulkResults(rows, [
      { id: c.id, error: "conflict", reason: "Document update conflict." },
      { id: b.id, error: "forbidden", reason: "Transition interdite" },
      { id: a.id, ok: true, rev: "1-a" },
    ]);
    expect(sorted.pushed.map((d) => d.id)).toEqual([a.id]);
    expect(sorted.again.map((r) => r.newDocumentState.id)).toEqual([b.id, c.id]);
    expect([...sorted.refused]).toEqual([[b.id, "Transition interdite"]]);
  });

  it("treats a row the server did not answer as one to look at again", () => {
    const a = request(8);
    const sorted = sortBulkResults([{ newDocumentState: a }], []);
    expect(sorted.again).toHaveLength(1);
    expect(sorted.refused.get(a.id)).toBe("refus sans motif");
  });
});

describe("settling what was not written", () => {
  it("flags a refusal when our revision was the current one", () => {
    const a = request(9);
    const out = settleRetries(
      [{ newDocumentState: a }],
      [onServer(a, "1-a")],
      new Map([[a.id, "Auteur usurpé"]]),
      new Map([[a.id, "1-a"]]),
    );
    expect(out.rejected).toEqual([{ doc: a, reason: "Auteur usurpé" }]);
  });

  it("hands RxDB the server's state when the refusal came from a stale revision (PouchDB Server)", () => {
    const base = request(10);
    const theirs = noted(base, "autre poste");
    const out = settleRetries(
      [{ newDocumentState: noted(base, "ce poste") }],
      [onServer(theirs, "2-b")],
      new Map([[base.id, "forbidden"]]),
      new Map([[base.id, "1-a"]]),
    );
    expect(out.rejected).toEqual([]);
    expect(out.conflicts.map((d) => d.id)).toEqual([base.id]);
  });

  it("counts as pushed a state the server already holds (an answer lost on the way)", () => {
    const a = request(11);
    const out = settleRetries([{ newDocumentState: a }], [onServer(a, "1-a")], new Map(), new Map());
    expect(out.pushed).toEqual([a]);
    expect(out.conflicts).toEqual([]);
  });
});
