import { describe, expect, it } from "vitest";
import {
  couchRole,
  localRoles,
  qualifyRole,
  ROLE_LABELS,
  ROLES,
  type Role,
  rolesFromCouch,
  sensitiveRole,
} from "./roles";
import {
  canTransition,
  isOpen,
  nextStatuses,
  OPEN_STATUSES,
  PUBLIC_STATUS,
  STATUS_LABELS,
  STATUSES,
  type Status,
  withheldStatuses,
} from "./workflow";

/**
 * The expected table, written out independently of TRANSITIONS: every (from → to) pair not
 * listed is forbidden for everyone. a = agent, s = service_agent, v = supervisor.
 */
const EXPECTED: Record<string, string> = {
  "received>assigned": "asv",
  "received>in_progress": "sv",
  "received>incomplete": "asv",
  "received>answered": "asv",
  "received>forwarded": "asv",
  "received>cancelled": "av",
  "assigned>in_progress": "sv",
  "assigned>incomplete": "asv",
  "assigned>answered": "sv",
  "assigned>forwarded": "sv",
  "assigned>cancelled": "v",
  "in_progress>incomplete": "asv",
  "in_progress>answered": "sv",
  "in_progress>forwarded": "sv",
  "in_progress>cancelled": "v",
  "incomplete>in_progress": "asv",
  "incomplete>closed": "sv",
  "incomplete>cancelled": "v",
  "answered>closed": "sv",
  "answered>in_progress": "sv",
  "forwarded>closed": "sv",
  "closed>in_progress": "v",
};

const LETTER: Partial<Record<Role, string>> = { agent: "a", service_agent: "s", supervisor: "v" };

function expectedFor(from: Status, to: Status, role: Role): string | null {
  if (from === to) return `La demande est déjà « ${STATUS_LABELS[to]} ».`;
  const who = EXPECTED[`${from}>${to}`];
  if (who === undefined)
    return `Impossible de passer une demande « ${STATUS_LABELS[from]} » à « ${STATUS_LABELS[to]} ».`;
  const letter = LETTER[role];
  if (letter !== undefined && who.includes(letter)) return null;
  return `Votre rôle ne permet pas de passer une demande « ${STATUS_LABELS[from]} » à « ${STATUS_LABELS[to]} ».`;
}

const cases = STATUSES.flatMap((from) =>
  STATUSES.flatMap((to) => ROLES.map((role) => ({ from, to, role, error: expectedFor(from, to, role) }))),
);

describe("canTransition", () => {
  it.each(cases)("$from → $to as $role follows the table", ({ from, to, role, error }) => {
    expect(canTransition(from, to, [role])).toEqual(error === null ? { ok: true } : { ok: false, error });
  });

  it("covers the 8 × 8 × 6 combinations, 22 allowed pairs", () => {
    expect(cases).toHaveLength(384);
    expect(Object.keys(EXPECTED)).toHaveLength(22);
  });

  it("refuses an agent's cancellation of an assigned request with the exact French message", () => {
    expect(canTransition("assigned", "cancelled", ["agent"])).toEqual({
      ok: false,
      error: "Votre rôle ne permet pas de passer une demande « Attribuée » à « Annulée ».",
    });
  });

  it("refuses reopening a cancelled request to everyone, supervisor included", () => {
    expect(canTransition("cancelled", "in_progress", ["supervisor"])).toEqual({
      ok: false,
      error: "Impossible de passer une demande « Annulée » à « En cours ».",
    });
  });

  it("says the request is already in the status when from and to are equal", () => {
    expect(canTransition("incomplete", "incomplete", ["supervisor"])).toEqual({
      ok: false,
      error: "La demande est déjà « En attente de pièces ».",
    });
  });

  it("allows a transition when any one of the user's roles allows it", () => {
    expect(canTransition("closed", "in_progress", ["agent", "supervisor"])).toEqual({ ok: true });
    expect(canTransition("closed", "in_progress", ["agent", "service_agent"]).ok).toBe(false);
  });

  it("refuses every transition to a user without roles", () => {
    expect(canTransition("received", "assigned", [])).toEqual({
      ok: false,
      error: "Votre rôle ne permet pas de passer une demande « Reçue » à « Attribuée ».",
    });
  });

  it("gives admin, portal and server accounts no status change at all", () => {
    for (const from of STATUSES) expect(nextStatuses(from, ["admin", "portal", "server"])).toEqual([]);
  });
});

describe("nextStatuses", () => {
  it("offers an agent at the counter what reception may do with a new request", () => {
    expect(nextStatuses("received", ["agent"])).toEqual([
      "assigned",
      "incomplete",
      "answered",
      "forwarded",
      "cancelled",
    ]);
  });

  it("offers a service agent the handling steps of an assigned request", () => {
    expect(nextStatuses("assigned", ["service_agent"])).toEqual([
      "in_progress",
      "incomplete",
      "answered",
      "forwarded",
    ]);
  });

  it("offers a supervisor cancellation on top", () => {
    expect(nextStatuses("in_progress", ["supervisor"])).toEqual([
      "incomplete",
      "answered",
      "forwarded",
      "cancelled",
    ]);
  });

  it("lets an agent take the missing pieces at the counter", () => {
    expect(nextStatuses("incomplete", ["agent"])).toEqual(["in_progress"]);
  });

  it("lets only a supervisor reopen a closed request", () => {
    expect(nextStatuses("closed", ["service_agent"])).toEqual([]);
    expect(nextStatuses("closed", ["supervisor"])).toEqual(["in_progress"]);
  });

  it("offers nothing from a cancelled request", () => {
    expect(nextStatuses("cancelled", ["agent", "service_agent", "supervisor"])).toEqual([]);
  });

  it("matches canTransition for every status and role", () => {
    for (const from of STATUSES)
      for (const role of ROLES)
        expect(nextStatuses(from, [role])).toEqual(
          STATUSES.filter((to) => expectedFor(from, to, role) === null),
        );
  });
});

describe("statuses", () => {
  it("counts received, assigned, in progress and incomplete as open", () => {
    expect(STATUSES.filter(isOpen)).toEqual(["received", "assigned", "in_progress", "incomplete"]);
    expect(OPEN_STATUSES).toEqual(["received", "assigned", "in_progress", "incomplete"]);
  });

  it("shows the citizen the same public status for assigned and in progress", () => {
    expect(PUBLIC_STATUS.assigned).toBe("En cours de traitement");
    expect(PUBLIC_STATUS.in_progress).toBe("En cours de traitement");
    expect(PUBLIC_STATUS.incomplete).toBe("En attente de pièces de votre part");
  });
});

describe("roles", () => {
  it("prefixes CouchDB role names so they never clash with a commune's own", () => {
    expect(couchRole("service_agent")).toBe("guichet:service_agent");
    expect(sensitiveRole("ccas")).toBe("guichet:sensitive:ccas");
  });

  it("reads Guichet roles back from a CouchDB user, ignoring others and sensitive grants", () => {
    expect(
      rolesFromCouch([
        "guichet:agent",
        "guichet:sensitive:ccas",
        "compta",
        "guichet:supervisor",
        "guichet:agent",
      ]),
    ).toEqual(["agent", "supervisor"]);
    expect(rolesFromCouch([])).toEqual([]);
  });

  it("keeps only the roles of one commune, in local form, so another commune's roles give nothing", () => {
    const roles = [
      "guichet:a:supervisor",
      "guichet:a:sensitive:ccas",
      "guichet:a-b:admin",
      "guichet:b:agent",
      "guichet:agent",
      "compta",
    ];
    expect(localRoles(roles, "a")).toEqual(["guichet:supervisor", "guichet:sensitive:ccas"]);
    expect(rolesFromCouch(localRoles(roles, "b"))).toEqual(["agent"]);
    expect(rolesFromCouch(localRoles(roles, "c"))).toEqual([]);
    expect(localRoles(["_admin"], "c")).toEqual(["_admin"]);
    expect(qualifyRole("a", couchRole("agent"))).toBe("guichet:a:agent");
    expect(qualifyRole("a", sensitiveRole("ccas"))).toBe("guichet:a:sensitive:ccas");
  });

  it("gives a CouchDB server admin the admin, supervisor and server roles", () => {
    expect(rolesFromCouch(["_admin"]).sort()).toEqual(["admin", "server", "supervisor"]);
  });

  it("labels every role in French", () => {
    expect(ROLES.map((r) => ROLE_LABELS[r])).toEqual([
      "Agent d'accueil",
      "Agent de service",
      "Encadrant",
      "Administrateur",
      "Portail en ligne",
      "Serveur",
    ]);
  });
});

describe("status choices explained", () => {
  it("names the statuses the counter may not set once a request is assigned, and who may", () => {
    expect(withheldStatuses("assigned", ["agent"])).toEqual([
      { to: "in_progress", by: ["service_agent", "supervisor"] },
      { to: "answered", by: ["service_agent", "supervisor"] },
      { to: "forwarded", by: ["service_agent", "supervisor"] },
      { to: "cancelled", by: ["supervisor"] },
    ]);
    expect(withheldStatuses("assigned", ["supervisor"])).toEqual([]);
  });
});
