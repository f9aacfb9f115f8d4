import { createRequire } from "node:module";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { findDemarche } from "../../domain/catalogue";
import { DEMO_COMMUNE } from "../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";
import { project, withEvents } from "../../domain/history";
import { newRequest } from "../../domain/new-request";
import { type GuichetRequest, type RequestEvent, requestSchema } from "../../domain/request";
import { anonymise } from "../../domain/retention";
import { localRoles, rolesOn } from "../../domain/roles";
import { TRANSITIONS } from "../../domain/workflow";
import {
  assignableAgents,
  configValidateDocUpdate,
  jsonSchemaOf,
  logValidateDocUpdate,
  PERSONAL_FIELDS,
  requestValidateDocUpdate,
} from "./validate-doc-update";
import { fullRequest } from "./vdu/full-request.test-support";

// The generated functions run here in Node as PouchDB Server runs them; the integration tests run
// the same source in CouchDB (QuickJS).

type Vdu = (newDoc: unknown, oldDoc: unknown, userCtx: unknown, secObj: unknown) => void;
type Verdict = { ok: true } | { ok: false; error: Record<string, string> };

const mainSource = requestValidateDocUpdate({
  commune: "demo",
  service: null,
  sensitiveServices: ["ccas", "police_municipale"],
});
const compile = (source: string): Vdu => new Function(`return (${source});`)() as Vdu;
const mainVdu = compile(mainSource);

const AGENT = { name: "agent1", roles: ["guichet:demo:agent", "guichet:demo:member"] };
const SUPERVISOR = { name: "chef", roles: ["guichet:demo:supervisor", "guichet:demo:member"] };

function verdict(doc: unknown, old: unknown = null, user: unknown = AGENT): Verdict {
  try {
    mainVdu(doc, old, user, {});
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e as Record<string, string> };
  }
}

function request(by = "agent1", at = "2025-03-10T09:00:00.000Z"): GuichetRequest & { _id: string } {
  return fullRequest({ by, at });
}

let eventCounter = 0;
function ev(kind: RequestEvent["kind"], at: string, by: string, body: Record<string, unknown>): RequestEvent {
  const id = `e${(eventCounter++).toString(36)}-K7M-t`;
  return { id, at, by, workstation: "K7M", kind, ...body } as RequestEvent;
}

describe("generated validate_doc_update functions", () => {
  it("are plain ES5 in ASCII, so CouchDB's SpiderMonkey or QuickJS and PouchDB Server all compile them", () => {
    // acorn comes with express-pouchdb's dependencies; ecmaVersion 5 refuses let, arrows, trailing commas…
    const acorn = createRequire(import.meta.url)("acorn") as { parse(src: string, o: object): unknown };
    for (const source of [mainSource, configValidateDocUpdate("demo"), logValidateDocUpdate("demo")]) {
      expect(() => acorn.parse(`(${source})`, { ecmaVersion: 5 })).not.toThrow();
      expect(source).toMatch(/^[\x20-\x7e\n]*$/);
    }
  });

  it("refuse to be generated for a schema using a keyword the ES5 checker does not know", () => {
    expect(() => jsonSchemaOf(z.strictObject({ pair: z.tuple([z.string(), z.number()]) }))).toThrow(
      /prefixItems/,
    );
    expect(() => jsonSchemaOf(z.strictObject({ when: z.date() }))).toThrow(/Schéma vide/);
    expect(() => jsonSchemaOf(z.strictObject({ n: z.number().multipleOf(5) }))).toThrow(/multipleOf/);
    expect(() => jsonSchemaOf(z.strictObject({ s: z.string().regex(/\p{L}+/u) }))).toThrow(/ES5/);
    expect(() => jsonSchemaOf(requestSchema)).not.toThrow();
  });

  it("accept what the domain builds and refuse an unauthenticated writer", () => {
    expect(verdict(request())).toEqual({ ok: true });
    expect(verdict(request(), null, { name: null, roles: [] })).toMatchObject({
      ok: false,
      error: { unauthorized: expect.any(String) },
    });
  });

  it("let the server relay a counter's hand-over into a sensitive database, and only there", () => {
    const ccasVdu = compile(
      requestValidateDocUpdate({
        commune: "demo",
        service: "ccas",
        sensitiveServices: ["ccas", "police_municipale"],
      }),
    );
    const SERVER = { name: "guichet-server", roles: ["guichet:demo:server", "guichet:demo:member"] };
    const ccasRequest = (by: string) => {
      const demarche = findDemarche(DEFAULT_CATALOGUE, "ccas_aide")!;
      const res = newRequest(
        {
          demarche: demarche.id,
          channel: "guichet",
          subject: "Aide",
          fields: { nature: "secours", situation: "Urgence" },
          citizen: { firstName: "Léa", lastName: "Martin" },
          attachments: [],
        },
        {
          commune: "demo",
          tracking: "K7M00025",
          demarche,
          policy: DEMO_COMMUNE.policy,
          by,
          workstation: "K7M",
          now: "2025-03-10T09:00:00.000Z",
        },
      );
      if (!res.ok) throw new Error(JSON.stringify(res.issues));
      return { _id: res.request.id, ...res.request };
    };
    const run = (vdu: Vdu, doc: unknown, user: unknown) => {
      try {
        vdu(doc, null, user, {});
        return "ok";
      } catch (e) {
        return Object.values(e as Record<string, string>)[0] ?? "?";
      }
    };
    // The agent's own request, written by the server account: relayed.
    expect(run(ccasVdu, ccasRequest("agent1"), SERVER)).toBe("ok");
    // Another agent may not pass it off as someone else's.
    expect(
      run(ccasVdu, ccasRequest("agent1"), {
        name: "ccas1",
        roles: ["guichet:demo:service_agent", "guichet:demo:sensitive:ccas"],
      }),
    ).toMatch(/^createdBy/);
    // In the main database the server writes only in its own name.
    expect(verdict(request("agent1"), null, SERVER)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/^createdBy/) },
    });
  });

  it("let the server relay others' events onto an existing request (conflict merger), and delete a losing leaf; never an agent", () => {
    const SERVER = { name: "guichet-server", roles: ["guichet:demo:server", "guichet:demo:member"] };
    const doc = { ...request(), _rev: "2-a" };
    // A losing sibling's events: another agent's note and a move, merged onto the winner.
    const merged = withEvents(doc, [
      ev("note", "2025-03-10T10:00:00.000Z", "agent2", { text: "Pièce reçue" }),
      ev("status", "2025-03-10T10:05:00.000Z", "agent2", { from: "received", to: "in_progress" }),
    ]);
    expect(verdict(merged, doc, SERVER)).toEqual({ ok: true });
    // The same write by an agent is a forged author.
    expect(verdict(merged, doc, AGENT)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/falsifié/) },
    });
    // Relayed or not, the history is never shortened.
    expect(verdict(doc, merged, SERVER)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/retiré de l'historique/) },
    });
    const leaf = { _id: doc._id, _rev: "2-b", _deleted: true };
    expect(verdict(leaf, merged, SERVER)).toEqual({ ok: true });
    expect(verdict(leaf, merged, AGENT)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/^_deleted/) },
    });
  });

  it("let the roles of ASSIGN_ROLES (and the server) assign a request, nobody else", () => {
    const doc = request();
    const assign = (by: string) =>
      withEvents(doc, [
        ev("assigned", "2025-03-10T10:00:00.000Z", by, { service: "etat_civil", assignee: "x" }),
      ]);
    expect(verdict(assign("agent1"), doc, AGENT)).toEqual({ ok: true });
    expect(verdict(assign("chef"), doc, SUPERVISOR)).toEqual({ ok: true });
    const portal = { name: "portail", roles: ["guichet:demo:portal", "guichet:demo:member"] };
    expect(verdict(assign("portail"), doc, portal)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/attribuer/) },
    });
  });

  it("let the roles of ASSIGN_ROLES choose a démarche, the document following the latest choice, and never into a sensitive service", () => {
    const doc = request();
    const choice = (by: string, demarche: string, at = "2025-03-10T10:00:00.000Z") => {
      const d = findDemarche(DEFAULT_CATALOGUE, demarche);
      if (!d) throw new Error(demarche);
      return ev("demarche_chosen", at, by, {
        demarche: d.id,
        demarcheVersion: d.version,
        rule: d.rule,
        service: d.service,
      });
    };
    const chosen = withEvents(doc, [choice("agent1", "occupation_domaine_public")]);
    expect(chosen).toMatchObject({ demarche: "occupation_domaine_public", service: "services_techniques" });
    expect(verdict(chosen, doc, AGENT)).toEqual({ ok: true });
    // The démarche (or its rule) never changes without the event, nor away from the latest choice.
    expect(verdict({ ...doc, demarche: "demande_generale" }, doc, AGENT)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/choix d'une démarche/) },
    });
    expect(verdict({ ...chosen, rule: { kind: "SVA", months: 1 } }, doc, AGENT)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/dernière démarche choisie/) },
    });
    const twice = withEvents(chosen, [choice("agent1", "demande_generale", "2025-03-11T10:00:00.000Z")]);
    expect(verdict(twice, chosen, AGENT)).toEqual({ ok: true });
    expect(verdict({ ...twice, demarche: "occupation_domaine_public" }, chosen, AGENT)).toMatchObject({
      ok: false,
    });
    // The portal may not; nor may a choice move a request into a sensitive service's database.
    const portal = { name: "portail", roles: ["guichet:demo:portal", "guichet:demo:member"] };
    expect(verdict(withEvents(doc, [choice("portail", "demande_generale")]), doc, portal)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/choisir la démarche/) },
    });
    expect(verdict(withEvents(doc, [choice("agent1", "ccas_aide")]), doc, AGENT)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/sensible/) },
    });
  });

  it("let a service agent move their own services' requests only (rolesOn)", () => {
    const doc = request(); // acte_naissance: service etat_civil
    const start = (by: string) =>
      withEvents(doc, [
        ev("status", "2025-03-10T10:00:00.000Z", by, { from: "received", to: "in_progress" }),
      ]);
    const own = {
      name: "ec1",
      roles: ["guichet:demo:service_agent", "guichet:demo:service:etat_civil", "guichet:demo:member"],
    };
    const other = {
      name: "sc1",
      roles: ["guichet:demo:service_agent", "guichet:demo:service:scolaire", "guichet:demo:member"],
    };
    expect(verdict(start("ec1"), doc, own)).toEqual({ ok: true });
    expect(verdict(start("sc1"), doc, other)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/rôle/) },
    });
    expect(rolesOn("etat_civil", ["service_agent"], localRoles(other.roles, "demo"))).toEqual([]);
    expect(rolesOn("scolaire", ["service_agent", "agent"], localRoles(other.roles, "demo"))).toEqual([
      "service_agent",
      "agent",
    ]);
    expect(rolesOn("etat_civil", ["service_agent", "agent"], localRoles(other.roles, "demo"))).toEqual([
      "agent",
    ]);
  });

  it("agree with the zod schema on mutated documents", () => {
    const base = request();
    const paths: string[][] = [
      ["subject"],
      ["citizen", "firstName"],
      ["citizen", "email"],
      ["citizen", "phone"],
      ["citizen", "address", "postcode"],
      ["citizen", "extra"],
      ["fields", "personne"],
      ["fields", "Bad-Key"],
      ["location", "lat"],
      ["attachments", "0", "size"],
      ["attachments", "0", "mime"],
      ["filedBy", "relation"],
      ["postmarkOn"],
      ["receivedAt"],
      ["receivedOn"],
      ["demarcheVersion"],
      ["rule", "months"],
      ["policy", "calendar", "extraClosedDays"],
      ["dueOn"],
      ["updatedAt"],
      ["nameKey"],
      ["workstation"],
    ];
    const value = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ minLength: 190, maxLength: 210 }),
      fc.constantFrom(
        "",
        "a\nb",
        "2025-02-29",
        "2024-02-29",
        "2025-03-10T09:00:00+01:00",
        "2025-03-10T09:00Z",
      ),
      fc.constantFrom("x@y.fr", "pas un mail", "75001", "7500", "+33 1 23 45 67 89", "K7M", "k7m"),
      fc.integer({ min: -5, max: 30 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.constantFrom("2025-01-01", "x"), { maxLength: 3 }),
      fc.constantFrom("application/pdf", "image/gif", "SVA", "none"),
    );
    fc.assert(
      fc.property(fc.constantFrom(...paths), value, (path, v) => {
        const doc = structuredClone(base) as unknown as Record<string, unknown>;
        let target = doc;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path[path.length - 1] as string] = v;
        const { _id, ...plain } = doc;
        const zodOk = requestSchema.safeParse(plain).success;
        const result = verdict(doc);
        expect(result.ok, `${path.join(".")} = ${JSON.stringify(v)} : ${JSON.stringify(result)}`).toBe(zodOk);
        if (!result.ok) expect(result.error.forbidden).toMatch(new RegExp(`^${path[0]}`));
      }),
      { numRuns: 600 },
    );
  });

  it("order events and derive the projection exactly like history.ts", () => {
    const supervisorMoves = Object.entries(TRANSITIONS).flatMap(([from, tos]) =>
      Object.entries(tos)
        .filter(([, roles]) => roles?.includes("supervisor"))
        .map(([to]) => ({ from, to })),
    );
    const instant = fc.record({
      // Few distinct seconds, so that fractions and offsets decide the order (and ties happen).
      ms: fc.integer({ min: 0, max: 3 }).map((i) => Date.UTC(2025, 0, 2) + i * 1000),
      offset: fc.constantFrom("Z", "+01:00", "-05:30", "+14:00"),
      fraction: fc.constantFrom("", ".1", ".100", ".123", ".1239", ".9", ".123456789"),
    });
    const stamp = ({ ms, offset, fraction }: { ms: number; offset: string; fraction: string }) => {
      const sign = offset === "Z" ? 0 : offset.startsWith("-") ? -1 : 1;
      const minutes = offset === "Z" ? 0 : Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6));
      const local = new Date(ms + sign * minutes * 60000).toISOString().slice(0, 19);
      return `${local}${fraction}${offset}`;
    };
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("status" as const),
        move: fc.constantFrom(...supervisorMoves),
        at: instant,
      }),
      fc.record({
        kind: fc.constant("assigned" as const),
        assignee: fc.constantFrom("", "ana", "bob"),
        at: instant,
      }),
      fc.record({ kind: fc.constant("ar_sent" as const), at: instant }),
      fc.record({
        kind: fc.constant("implicit_decision" as const),
        outcome: fc.constantFrom("acceptance", "rejection"),
        at: instant,
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 6 }), (steps) => {
        const base = request("chef", "2024-12-31T23:00:00Z");
        const events = steps.map((s) => {
          const at = stamp(s.at);
          if (s.kind === "status")
            return ev("status", at, "chef", {
              ...s.move,
              // A request for pieces names them and their time limit (L114-5).
              ...(s.move.to === "incomplete" ? { missingPieces: ["Livret"], piecesDueOn: "2025-02-01" } : {}),
            });
          if (s.kind === "assigned")
            return ev("assigned", at, "chef", { service: "etat_civil", assignee: s.assignee });
          if (s.kind === "implicit_decision")
            return ev("implicit_decision", at, "chef", { outcome: s.outcome, dueOn: "2025-03-01" });
          return ev("ar_sent", at, "chef", { via: "print" });
        });
        const { _id, ...plain } = base;
        const doc = { _id, ...withEvents(plain, events) };
        expect(doc.status).toBe(project(doc).status);
        const accepted = verdict(doc, null, SUPERVISOR);
        expect(accepted, JSON.stringify(accepted)).toEqual({ ok: true });
        const other = doc.status === "closed" ? "answered" : "closed";
        expect(verdict({ ...doc, status: other }, null, SUPERVISOR)).toMatchObject({ ok: false });
      }),
      { numRuns: 300 },
    );
  });

  it("accept retention.ts anonymise(), which changes only personal fields and scrubs event texts", () => {
    const at = "2025-03-10T10:00:00.000Z";
    const stored = withEvents(request(), [
      ev("note", at, "agent1", { text: "Appelée le matin" }),
      ev("status", at, "agent1", {
        from: "received",
        to: "incomplete",
        reason: "Pièce manquante",
        missingPieces: ["Livret"],
      }),
      ev("ar_sent", at, "agent1", { via: "email", to: "lea@example.org" }),
      ev("registration_sent", at, "agent1", { to: "lea@example.org" }),
    ]);
    const old = { _id: stored.id, _rev: "3-x", ...stored };
    const anonymised = {
      ...anonymise(stored, "2025-06-01T10:00:00.000Z", "chef", "K7M"),
      _id: stored.id,
      _rev: "3-x",
    };
    expect(verdict(anonymised, old, SUPERVISOR)).toEqual({ ok: true });
    expect(verdict(anonymised, old, AGENT)).toMatchObject({
      ok: false,
      error: { forbidden: expect.stringMatching(/^anonymised/) },
    });

    const changed = new Set(
      [...new Set([...Object.keys(stored), ...Object.keys(anonymised)])].filter(
        (k) =>
          JSON.stringify(stored[k as keyof typeof stored]) !==
          JSON.stringify(anonymised[k as keyof typeof anonymised]),
      ),
    );
    const allowed = new Set([
      ...PERSONAL_FIELDS,
      "events",
      "anonymised",
      "nameKey",
      "updatedAt",
      "_id",
      "_rev",
    ]);
    expect([...changed].filter((k) => !allowed.has(k))).toEqual([]);
  });

  it("give nothing to the roles of another commune, nor to the unqualified names of old installs", () => {
    const elsewhere = {
      name: "chef-b",
      roles: ["guichet:b:supervisor", "guichet:b:member", "guichet:b:admin"],
    };
    const legacy = {
      name: "chef-old",
      roles: ["guichet:supervisor", "guichet:admin", "guichet:commune:demo"],
    };
    const doc = request();
    const assign = (by: string) =>
      withEvents(doc, [
        ev("assigned", "2025-03-10T10:00:00.000Z", by, { service: "etat_civil", assignee: "x" }),
      ]);
    expect(verdict(assign("chef-b"), doc, elsewhere)).toMatchObject({ ok: false });
    expect(verdict(assign("chef-old"), doc, legacy)).toMatchObject({ ok: false });
    const config = compile(configValidateDocUpdate("demo"));
    expect(() => config({ _id: "commune", type: "commune" }, null, elsewhere, {})).toThrow();
    expect(() => config({ _id: "commune", type: "commune" }, null, legacy, {})).toThrow();
  });

  it("build their checker once per design document, never share it between two functions, and read each call's _security", () => {
    const ddoc = { _id: "_design/guichet" };
    const admin = { name: "a", roles: ["guichet:demo:admin", "guichet:demo:member"] };
    const demoConfig = compile(configValidateDocUpdate("demo"));
    const otherConfig = compile(configValidateDocUpdate("autre"));
    const doc = { _id: "commune", type: "commune" };
    const members = (role: string) => ({ members: { roles: [role] } });
    demoConfig.call(ddoc, doc, null, admin, members("guichet:demo:member"));
    expect(Object.keys(ddoc)).toEqual(["_id"]); // kept out of sight, and once only
    expect(Object.getOwnPropertyNames(ddoc)).toHaveLength(2);
    // Same design document object, another commune's function: its own rules, not the cached ones.
    expect(() => otherConfig.call(ddoc, doc, null, admin, members("guichet:autre:member"))).toThrow();
    expect(Object.getOwnPropertyNames(ddoc)).toHaveLength(3);
    // The cached checker sees the _security of this call, not of the first one.
    expect(() => demoConfig.call(ddoc, doc, null, admin, members("guichet:autre:member"))).toThrow();
    expect(() => demoConfig.call(ddoc, doc, null, admin, members("guichet:demo:member"))).not.toThrow();
    // A frozen design document, or none: the checker is built for the call and still applies.
    expect(() => demoConfig.call(Object.freeze({ _id: "_design/x" }), doc, null, AGENT, {})).toThrow();
    expect(() => mainVdu.call(undefined, request(), null, AGENT, {})).not.toThrow();
  });

  it("check the -log and -config rules too", () => {
    const log = compile(logValidateDocUpdate("demo"));
    const entry = {
      _id: "l1",
      type: "contact_log",
      at: "2025-03-10T09:00:00Z",
      by: "agent1",
      workstation: "K7M",
      channel: "guichet",
      reason: "Horaires",
    };
    expect(() => log(entry, null, AGENT, {})).not.toThrow();
    expect(() => log({ ...entry, by: "autre" }, null, AGENT, {})).toThrow();
    expect(() => log({ ...entry, extra: 1 }, null, AGENT, {})).toThrow();
    expect(() => log({ _id: "l1", _deleted: true }, entry, AGENT, {})).toThrow();
    expect(() => log({ _id: "l1", _deleted: true }, entry, SUPERVISOR, {})).not.toThrow();
    const config = compile(configValidateDocUpdate("demo"));
    expect(() => config({ _id: "commune", type: "commune" }, null, AGENT, {})).toThrow();
    expect(() =>
      config({ _id: "commune", type: "commune" }, null, { name: "a", roles: ["guichet:demo:admin"] }, {}),
    ).not.toThrow();
    expect(() =>
      config({ _id: "x", type: "autre" }, null, { name: "a", roles: ["guichet:demo:admin"] }, {}),
    ).toThrow();
  });
});

describe("assignable agents", () => {
  const card = (username: string, services: string[], disabled?: boolean) => ({
    username,
    firstName: "A",
    lastName: "B",
    position: "agent",
    roles: ["service_agent" as const],
    services,
    ...(disabled ? { disabled } : {}),
  });

  it("lists the active agents with their services, and checks nothing while the directory is empty", () => {
    expect(assignableAgents(undefined)).toBeNull();
    expect(assignableAgents([card("parti", ["scolaire"], true)])).toBeNull();
    expect(assignableAgents([card("claire", ["scolaire"]), card("parti", ["scolaire"], true)])).toEqual({
      claire: ["scolaire"],
    });
  });
});
