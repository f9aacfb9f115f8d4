import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareEvents,
  mergeRequests,
  newEventId,
  parisDate,
  project,
  sameRequestState,
  scrubEvent,
  searchKey,
  sortEvents,
  withEvents,
} from "./history";
import { type GuichetRequest, NO_DUE_DATE, type RequestEvent, requestSchema } from "./request";
import { anonymise } from "./retention";
import { buildRequest, ev, TRACKING, WS_A, WS_B, WS_C } from "./test-fixtures";
import { makeTrackingNumber } from "./tracking-number";
import { canTransition, STATUSES } from "./workflow";

// Restauration scolaire: SVR, two months, received on Thursday 12 March 2026 → due on 12 May 2026.
const svr = () => buildRequest("aide_restauration_scolaire");
const sva = () => buildRequest("autorisation_buvette");

const add = (r: GuichetRequest, ...events: RequestEvent[]) => withEvents(r, events);
const ids = (r: GuichetRequest) => r.events.map((e) => e.id);

describe("project", () => {
  it("gives a new request its initial state from the created event", () => {
    const r = svr();
    expect(project(r)).toEqual({
      status: "received",
      service: "scolaire",
      assignee: "",
      open: true,
      dueOn: "2026-05-12",
      outcome: "rejection",
      implicitDecision: "none",
      arSent: false,
      updatedAt: "2026-03-12T08:30:00.000Z",
      nameKey: "martin lea",
    });
  });

  it("moves a received request to assigned when someone is assigned", () => {
    const r = add(svr(), ev.assigned("2026-03-13T09:00:00Z", "ccas", "sa.bernard"));
    expect([r.status, r.service, r.assignee]).toEqual(["assigned", "ccas", "sa.bernard"]);
  });

  it("keeps the status of a request already in progress when it is reassigned", () => {
    const r = add(
      svr(),
      ev.status("2026-03-13T09:00:00Z", "received", "in_progress"),
      ev.assigned("2026-03-14T09:00:00Z", "scolaire", "sa.bernard"),
    );
    expect([r.status, r.assignee]).toEqual(["in_progress", "sa.bernard"]);
  });

  it("applies status events in time order whatever the order given", () => {
    const events = [
      ev.status("2026-03-20T09:00:00Z", "in_progress", "answered"),
      ev.status("2026-03-13T09:00:00Z", "received", "in_progress"),
      ev.status("2026-03-25T09:00:00Z", "answered", "closed"),
    ];
    const r = add(svr(), ...events);
    expect([r.status, r.open, r.updatedAt]).toEqual(["closed", false, "2026-03-25T09:00:00Z"]);
    expect(r.events.map((e) => e.at)).toEqual([
      "2026-03-12T08:30:00.000Z",
      "2026-03-13T09:00:00Z",
      "2026-03-20T09:00:00Z",
      "2026-03-25T09:00:00Z",
    ]);
  });

  it("records the AR, the implicit decision, and leaves notes without effect on the state", () => {
    const r = add(
      svr(),
      ev.arSent("2026-03-12T09:00:00Z", "email", "lea.martin@example.org"),
      ev.note("2026-05-13T09:00:00Z", "Rien reçu de la famille"),
      ev.implicitDecision("2026-05-13T00:05:00Z", "rejection", "2026-05-12"),
    );
    expect(r.arSent).toBe(true);
    expect(r.implicitDecision).toBe("rejection");
    expect(r.status).toBe("received");
    expect(r.updatedAt).toBe("2026-05-13T09:00:00Z");
  });

  it("suspends an SVR delay while pieces are missing, up to the time given for them (L114-5)", () => {
    const r = add(
      svr(),
      ev.status(
        "2026-03-20T10:00:00Z",
        "received",
        "incomplete",
        {},
        {
          missingPieces: ["Avis d'imposition"],
          piecesDueOn: "2026-04-20",
        },
      ),
    );
    // Assumes the pieces never come: 12 May + 31 days of suspension (20 March → 20 April).
    expect([r.status, r.open, r.dueOn]).toEqual(["incomplete", true, "2026-06-12"]);
  });

  it("resumes the SVR delay when the pieces arrive, extended by the days of suspension", () => {
    const r = add(
      svr(),
      ev.status("2026-03-20T10:00:00Z", "received", "incomplete", {}, { piecesDueOn: "2026-04-20" }),
      ev.status("2026-04-01T10:00:00Z", "incomplete", "in_progress"),
    );
    expect([r.status, r.dueOn]).toEqual(["in_progress", "2026-05-24"]);
  });

  it("starts an SVA delay only once an incomplete file is complete", () => {
    const incomplete = add(
      sva(),
      ev.status("2026-03-12T10:00:00Z", "received", "incomplete", {}, { piecesDueOn: "2026-04-20" }),
    );
    expect([incomplete.outcome, incomplete.dueOn]).toEqual(["acceptance", NO_DUE_DATE]);
    const complete = add(incomplete, ev.status("2026-04-01T10:00:00Z", "incomplete", "in_progress"));
    expect(complete.dueOn).toBe("2026-06-01");
  });

  it("drops the implicit-decision date once forwarded or cancelled", () => {
    const forwarded = add(
      svr(),
      ev.status("2026-03-13T09:00:00Z", "received", "forwarded", {}, { forwardedTo: "CAF" }),
    );
    expect([forwarded.status, forwarded.open, forwarded.dueOn, forwarded.outcome]).toEqual([
      "forwarded",
      false,
      NO_DUE_DATE,
      "rejection",
    ]);
    const cancelled = add(svr(), ev.status("2026-03-13T09:00:00Z", "received", "cancelled"));
    expect([cancelled.open, cancelled.dueOn]).toEqual([false, NO_DUE_DATE]);
  });

  it("gives a rule-none request no date and no outcome", () => {
    const r = buildRequest("signalement_voirie");
    expect([r.dueOn, r.outcome, r.service]).toEqual([NO_DUE_DATE, "none", "services_techniques"]);
  });

  it("keeps the first service of a created event and an empty updatedAt without events", () => {
    const r = svr();
    const created = r.events[0];
    if (created?.kind !== "created") throw new Error("no created event");
    const second: RequestEvent = {
      ...created,
      id: `${created.id}x`,
      service: "ccas",
      at: "2026-03-13T00:00:00Z",
    };
    expect(project({ ...r, events: [created, second] }).service).toBe("scolaire");
    expect(project({ ...r, events: [] }).updatedAt).toBe("");
  });

  it("computes no search key for an anonymised request", () => {
    expect(project({ ...svr(), anonymised: true }).nameKey).toBe("");
  });
});

describe("event order and ids", () => {
  const at = "2026-03-12T10:00:00Z";
  it("orders by instant, then by id", () => {
    const a = ev.note(at, "a", { id: "1-K7M-b" });
    const b = ev.note(at, "b", { id: "1-K7M-a" });
    const c = ev.note("2026-03-12T09:00:00Z", "c", { id: "1-K7M-z" });
    expect(sortEvents([a, b, c]).map((e) => e.id)).toEqual(["1-K7M-z", "1-K7M-a", "1-K7M-b"]);
    expect(compareEvents(a, a)).toBe(0);
  });

  it("orders the same instant written with two offsets deterministically", () => {
    const utc = ev.note("2026-03-12T09:00:00Z", "utc", { id: "1-K7M-z" });
    const paris = ev.note("2026-03-12T10:00:00+01:00", "paris", { id: "1-K7M-a" });
    expect(compareEvents(utc, paris)).toBe(-compareEvents(paris, utc));
    expect(sortEvents([utc, paris])).toEqual(sortEvents([paris, utc]));
  });

  it("builds an id from the time in base 36, the workstation and 8 random symbols", () => {
    const bytes = Uint8Array.from([0, 1, 10, 35, 36, 71, 255, 100]);
    expect(newEventId("2026-03-12T08:30:00.000Z", WS_B, () => bytes)).toBe("mmn7j9s0-P2X-01az0z3s");
  });

  it("builds ids that the event schema accepts, different each time", () => {
    const a = newEventId("2026-03-12T08:30:00.000Z", WS_A);
    const b = newEventId("2026-03-12T08:30:00.000Z", WS_A);
    expect(a).toMatch(/^mmn7j9s0-K7M-[0-9a-z]{8}$/);
    expect(a).not.toBe(b);
  });
});

describe("searchKey and parisDate", () => {
  it("strips accents, case and punctuation", () => {
    expect(searchKey("Élodie LÉGER-Dupont")).toBe("elodie leger dupont");
    expect(searchKey("  N'Guessan   Çağla ")).toBe("n guessan cagla");
  });

  it("gives the Paris day of an instant across midnight UTC in winter (UTC+1)", () => {
    expect(parisDate("2026-01-15T22:59:59Z")).toBe("2026-01-15");
    expect(parisDate("2026-01-15T23:00:00Z")).toBe("2026-01-16");
    expect(parisDate("2025-12-31T23:30:00Z")).toBe("2026-01-01");
  });

  it("gives the Paris day of an instant across midnight UTC in summer (UTC+2)", () => {
    expect(parisDate("2026-07-15T21:59:59Z")).toBe("2026-07-15");
    expect(parisDate("2026-07-15T22:00:00Z")).toBe("2026-07-16");
  });

  it("reads an instant written with an offset", () => {
    expect(parisDate("2026-03-12T00:30:00+01:00")).toBe("2026-03-12");
    expect(parisDate("2026-03-12T00:30:00-05:00")).toBe("2026-03-12");
    expect(parisDate("2026-03-12T20:30:00-05:00")).toBe("2026-03-13");
  });
});

describe("withEvents and sameRequestState", () => {
  it("does not add an event twice", () => {
    const note = ev.note("2026-03-13T09:00:00Z", "Appel de la mère");
    const once = add(svr(), note);
    expect(add(once, note)).toStrictEqual(once);
    expect(once.events).toHaveLength(2);
  });

  it("keeps one version, deterministically, of an id seen with two contents", () => {
    const a = ev.note("2026-03-13T09:00:00Z", "version A", { id: "mmoo-K7M-dup" });
    const b = ev.note("2026-03-13T09:00:00Z", "version B", { id: "mmoo-K7M-dup" });
    const r = svr();
    const left = mergeRequests(add(r, a), add(r, b));
    const right = mergeRequests(add(r, b), add(r, a));
    expect(left).toStrictEqual(right);
    expect(left.events.filter((e) => e.id === "mmoo-K7M-dup")).toEqual([a]);
  });

  it("tells whether two copies hold the same events", () => {
    const r = svr();
    const note = ev.note("2026-03-13T09:00:00Z", "x");
    const other = ev.note("2026-03-13T09:00:00Z", "y");
    expect(sameRequestState(add(r, note), add(r, note))).toBe(true);
    expect(sameRequestState(r, add(r, note))).toBe(false);
    expect(sameRequestState(add(r, note), add(r, other))).toBe(false);
    expect(sameRequestState(r, { ...r, anonymised: true })).toBe(false);
  });
});

describe("scrubEvent", () => {
  const at = "2026-03-13T09:00:00Z";
  const who = { id: "1-K7M-a" };
  it("replaces a note's text", () => {
    expect(scrubEvent(ev.note(at, "Mme Martin, 06 12 34 56 78", who))).toEqual({
      id: "1-K7M-a",
      at,
      by: "agent.dupont",
      workstation: WS_A,
      kind: "note",
      text: "—",
    });
  });

  it("removes a status event's free text and keeps the facts", () => {
    const e = ev.status(at, "in_progress", "incomplete", who, {
      reason: "r",
      missingPieces: ["Avis d'imposition de M. Martin"],
      piecesDueOn: "2026-04-15",
      answer: "a",
      forwardedTo: "f",
    });
    expect(scrubEvent(e)).toEqual({
      id: "1-K7M-a",
      at,
      by: "agent.dupont",
      workstation: WS_A,
      kind: "status",
      from: "in_progress",
      to: "incomplete",
      piecesDueOn: "2026-04-15",
    });
  });

  it("removes the addresses an AR or a registration receipt went to", () => {
    expect(scrubEvent(ev.arSent(at, "email", "lea@example.org", who))).not.toHaveProperty("to");
    expect(scrubEvent(ev.registrationSent(at, "lea@example.org", who))).toMatchObject({ to: "" });
  });

  it("leaves events without free text unchanged", () => {
    const e = ev.assigned(at, "ccas", "sa.bernard", who);
    expect(scrubEvent(e)).toBe(e);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: the history never loses an update, whatever the order of arrival.

const TIMES = [
  "2026-03-12T08:30:00.000Z", // the creation instant itself
  "2026-03-12T09:00:00Z",
  "2026-03-12T10:00:00+01:00", // same instant as the previous one, other offset
  "2026-03-13T23:30:00Z", // 14 March in Paris
  "2026-03-20T08:00:00Z",
  "2026-04-02T12:00:00+02:00",
  "2026-05-20T12:00:00Z", // after the SVR due date
];
const DATES = ["2026-03-31", "2026-04-15", "2026-06-30"];

const eventArb: fc.Arbitrary<RequestEvent> = fc
  .record({
    at: fc.constantFrom(...TIMES),
    workstation: fc.constantFrom(WS_A, WS_B, WS_C),
    by: fc.constantFrom("agent.dupont", "sa.bernard", "enc.leroy"),
    suffix: fc.stringMatching(/^[0-9a-z]{1,3}$/),
    kind: fc.constantFrom(
      "status",
      "status",
      "status",
      "assigned",
      "note",
      "ar_sent",
      "registration_sent",
      "implicit_decision",
      "deadline_flagged",
      "duplicate_linked",
    ),
    from: fc.constantFrom(...STATUSES),
    to: fc.constantFrom(...STATUSES),
    date: fc.constantFrom(...DATES),
    text: fc.constantFrom("Appel du demandeur", "Pièce reçue", "Relance"),
  })
  .map(({ at, workstation, by, suffix, kind, from, to, date, text }): RequestEvent => {
    const base = { id: `${Date.parse(at).toString(36)}-${workstation}-${suffix}`, at, by, workstation };
    switch (kind) {
      case "status":
        return {
          ...base,
          kind,
          from,
          to,
          ...(to === "incomplete" ? { missingPieces: [text], piecesDueOn: date } : {}),
        };
      case "assigned":
        return { ...base, kind, service: by === "enc.leroy" ? "ccas" : "scolaire", assignee: by };
      case "note":
        return { ...base, kind, text };
      case "ar_sent":
        return { ...base, kind, via: "email", to: "lea.martin@example.org" };
      case "registration_sent":
        return { ...base, kind, to: "lea.martin@example.org" };
      case "implicit_decision":
        return { ...base, kind, outcome: "rejection", dueOn: date };
      case "deadline_flagged":
        return { ...base, kind, dueOn: date, level: "soon" };
      default:
        return { ...base, kind: "duplicate_linked", otherId: makeTrackingNumber(WS_B, 7) };
    }
  });

const eventsArb = fc.uniqueArray(eventArb, { selector: (e) => e.id, maxLength: 14 });

const BASE = svr();
const ANON_AT = "2026-09-01T02:00:00Z";

/** A replica's copy: the same request with a subset of the events, possibly anonymised there. */
const copyArb = (pool: RequestEvent[]) =>
  fc.record({ events: fc.subarray(pool), anonymised: fc.boolean() }).map(({ events, anonymised }) => {
    const copy = withEvents(BASE, events);
    return anonymised ? anonymise(copy, ANON_AT, "server", "SRV") : copy;
  });

describe("history properties", () => {
  it("projects any permutation of the same events to the same state", () => {
    fc.assert(
      fc.property(
        eventsArb.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          ),
        ),
        ([events, shuffled]) => {
          const created = BASE.events;
          expect(project({ ...BASE, events: [...shuffled, ...created] })).toStrictEqual(
            project({ ...BASE, events: [...created, ...events] }),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it("merges commutatively, associatively and idempotently, and never loses an event", () => {
    fc.assert(
      fc.property(
        eventsArb.chain((pool) => fc.tuple(copyArb(pool), copyArb(pool), copyArb(pool))),
        ([a, b, c]) => {
          const ab = mergeRequests(a, b);
          expect(ab).toStrictEqual(mergeRequests(b, a));
          expect(mergeRequests(ab, c)).toStrictEqual(mergeRequests(a, mergeRequests(b, c)));
          expect(mergeRequests(a, a)).toStrictEqual(a);
          expect(mergeRequests(ab, a)).toStrictEqual(ab);
          const merged = new Set(ids(ab));
          for (const id of [...ids(a), ...ids(b)]) expect(merged.has(id)).toBe(true);
          expect(ab.anonymised).toBe(a.anonymised || b.anonymised);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("gives a merged copy a state equal to the projection of all the events", () => {
    fc.assert(
      fc.property(
        eventsArb.chain((pool) => fc.tuple(fc.subarray(pool), fc.subarray(pool))),
        ([x, y]) => {
          const merged = mergeRequests(withEvents(BASE, x), withEvents(BASE, y));
          expect(merged).toStrictEqual(withEvents(BASE, [...x, ...y]));
          expect(requestSchema.safeParse(merged).success).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("two agents editing the same request offline", () => {
  // Agent A (service agent, workstation P2X) takes the request up and writes a note; the
  // supervisor B (workstation R4T) assigns it and writes a note, both without network.
  const A = { by: "sa.bernard", workstation: WS_B };
  const B = { by: "enc.leroy", workstation: WS_C };
  const base = svr();
  const aEdit = add(
    base,
    ev.status("2026-03-13T09:00:00Z", "received", "in_progress", A),
    ev.note("2026-03-13T09:05:00Z", "Quotient familial à confirmer avec la CAF.", A),
  );
  const bEdit = add(
    base,
    ev.assigned("2026-03-13T09:02:00Z", "scolaire", "sa.bernard", B),
    ev.note("2026-03-13T09:03:00Z", "Famille suivie par le CCAS : à traiter en priorité.", B),
  );

  it("uses status changes each role may make", () => {
    expect(canTransition("received", "in_progress", ["service_agent"])).toEqual({ ok: true });
  });

  it("keeps both changes and both notes, identically whichever side merges", () => {
    const onA = mergeRequests(aEdit, bEdit);
    const onB = mergeRequests(bEdit, aEdit);
    expect(onA).toStrictEqual(onB);
    expect(onA.status).toBe("in_progress");
    expect(onA.assignee).toBe("sa.bernard");
    expect(onA.service).toBe("scolaire");
    expect(onA.updatedAt).toBe("2026-03-13T09:05:00Z");
    expect(onA.events.flatMap((e) => (e.kind === "note" ? [e.text] : []))).toEqual([
      "Famille suivie par le CCAS : à traiter en priorité.",
      "Quotient familial à confirmer avec la CAF.",
    ]);
    expect(onA.events.map((e) => [e.kind, e.workstation])).toEqual([
      ["created", WS_A],
      ["status", WS_B],
      ["assigned", WS_C],
      ["note", WS_C],
      ["note", WS_B],
    ]);
  });

  it("is a no-op to merge again once both sides agree", () => {
    const merged = mergeRequests(aEdit, bEdit);
    expect(sameRequestState(merged, mergeRequests(merged, bEdit))).toBe(true);
    expect(mergeRequests(merged, aEdit)).toStrictEqual(merged);
  });

  it("refuses to merge two different requests", () => {
    const other = buildRequest("aide_restauration_scolaire", {
      ctx: { tracking: makeTrackingNumber(WS_B, 1) },
    });
    expect(() => mergeRequests(base, other)).toThrow(`Cannot merge ${TRACKING} with ${other.id}`);
  });
});

describe("anonymisation wins a merge", () => {
  const base = add(
    buildRequest("aide_restauration_scolaire", {
      content: { filedBy: { name: "Paul Martin", relation: "Père" } },
    }),
    ev.status(
      "2026-03-20T09:00:00Z",
      "received",
      "answered",
      {},
      { answer: "Tarif réduit accordé à Hugo Martin." },
    ),
    ev.status("2026-03-21T09:00:00Z", "answered", "closed"),
  );
  const anonymised = anonymise(base, "2028-03-22T02:00:00Z", "server", "SRV");
  // A workstation offline since before the anonymisation adds a note and syncs.
  const stale = add(
    base,
    ev.note("2028-04-01T09:00:00Z", "Mme Léa Martin a rappelé au 06 12 34 56 78.", {
      workstation: WS_B,
    }),
  );

  it("keeps the request anonymised, the stale note scrubbed, the citizen gone, on both sides", () => {
    const merged = mergeRequests(anonymised, stale);
    expect(mergeRequests(stale, anonymised)).toStrictEqual(merged);
    expect(merged.anonymised).toBe(true);
    expect(merged.citizen).toEqual({ firstName: "Anonymisé", lastName: "Anonymisé" });
    expect(merged).not.toHaveProperty("filedBy");
    expect(merged.fields).toEqual({});
    expect(merged.nameKey).toBe("");
    const note = merged.events.find((e) => e.kind === "note");
    expect(note).toMatchObject({ text: "—", at: "2028-04-01T09:00:00Z" });
    const text = JSON.stringify(merged);
    for (const secret of ["Léa", "06 12 34 56 78", "lea.martin@example.org", "Hugo", "Paul Martin"])
      expect(text).not.toContain(secret);
    expect(requestSchema.parse(merged)).toStrictEqual(merged);
  });

  it("keeps every event of both sides", () => {
    const merged = mergeRequests(stale, anonymised);
    expect(new Set(ids(merged))).toEqual(new Set([...ids(stale), ...ids(anonymised)]));
    expect(merged.events.map((e) => e.kind)).toEqual(["created", "status", "status", "anonymised", "note"]);
  });
});
