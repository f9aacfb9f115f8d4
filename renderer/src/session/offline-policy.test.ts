import { describe, expect, it } from "vitest";
import type { AgentCard } from "../../../domain/commune";
import {
  accessChanged,
  accountsToForget,
  type CachedAccount,
  offlineRefusal,
  sessionOutdated,
} from "./offline-policy";

const card = (over: Partial<AgentCard> = {}): AgentCard => ({
  username: "marie",
  firstName: "Marie",
  lastName: "Durand",
  position: "Agente d'accueil",
  roles: ["agent"],
  services: ["accueil"],
  ...over,
});
const account: CachedAccount = { username: "marie", savedAt: "2026-12-01T08:00:00.000Z" };
const NOW = new Date("2026-12-06T08:00:00.000Z");

describe("the offline login of a cached account", () => {
  it("lets in an account the directory knows as active, within the commune's days", () => {
    expect(offlineRefusal(account, [card()], "2026-12-05T08:00:00.000Z", NOW, 14)).toBeNull();
  });

  it("refuses an account the server disabled at its last contact", () => {
    expect(offlineRefusal(account, [card({ disabled: true })], "2026-12-05T08:00:00.000Z", NOW, 14)).toBe(
      "disabled",
    );
  });

  it("refuses a hash made before the password the server now knows", () => {
    const setAt = "2026-12-04T10:00:00.000Z";
    expect(offlineRefusal(account, [card({ passwordSetAt: setAt })], null, NOW, 14)).toBe("changed");
    expect(
      offlineRefusal({ ...account, passwordSetAt: setAt }, [card({ passwordSetAt: setAt })], null, NOW, 14),
    ).toBeNull();
  });

  it("expires N days after the workstation's last contact with the server, N set by the commune", () => {
    const contact = "2026-11-28T08:00:00.000Z"; // 8 days before NOW
    expect(offlineRefusal(account, [card()], contact, NOW, 14)).toBeNull();
    expect(offlineRefusal(account, [card()], contact, NOW, 7)).toBe("expired");
    expect(offlineRefusal(account, [card()], "2026-11-29T08:00:00.000Z", NOW, 7)).toBeNull();
  });

  it("counts from the hash's own date when no contact was recorded, and from nothing unreadable", () => {
    expect(offlineRefusal(account, undefined, null, NOW, 5)).toBeNull();
    expect(offlineRefusal(account, undefined, null, NOW, 4)).toBe("expired");
    expect(offlineRefusal({ ...account, savedAt: "n/a" }, undefined, null, NOW, 90)).toBe("expired");
  });

  it("lets an account absent from the directory in (accounts made by the command line have no card)", () => {
    expect(offlineRefusal(account, [card({ username: "paul", disabled: true })], null, NOW, 14)).toBeNull();
  });
});

describe("the accounts a directory tells the workstation to forget", () => {
  it("are the disabled ones and those with a new password, never the others", () => {
    const cached: CachedAccount[] = [
      { username: "marie", savedAt: "2026-01-01T00:00:00.000Z" },
      { username: "paul", savedAt: "2026-01-01T00:00:00.000Z", passwordSetAt: "2025-12-01T00:00:00.000Z" },
      { username: "lea", savedAt: "2026-01-01T00:00:00.000Z" },
      { username: "ancien", savedAt: "2020-01-01T00:00:00.000Z" },
    ];
    const directory = [
      card({ username: "marie", disabled: true }),
      card({ username: "paul", passwordSetAt: "2026-12-02T00:00:00.000Z" }),
      card({ username: "lea" }),
    ];
    expect(accountsToForget(cached, directory)).toEqual(["marie", "paul"]);
  });
});

describe("an account whose access changed on the server", () => {
  const cached: CachedAccount = {
    ...account,
    roles: ["agent", "service_agent"],
    couchRoles: [
      "guichet:agent",
      "guichet:service_agent",
      "guichet:service:accueil",
      "guichet:service:scolaire",
    ],
  };
  const same = card({ roles: ["agent", "service_agent"], services: ["scolaire", "accueil"] });

  it("keeps its hash while the directory gives the same roles and services", () => {
    expect(accessChanged(cached, same)).toBe(false);
    expect(offlineRefusal(cached, [same], null, NOW, 14)).toBeNull();
  });

  it("loses it when a role or a service was added or taken away", () => {
    expect(accessChanged(cached, { ...same, roles: ["agent"] })).toBe(true);
    expect(accessChanged(cached, { ...same, services: ["accueil"] })).toBe(true);
    expect(
      offlineRefusal(cached, [{ ...same, roles: ["agent", "service_agent", "supervisor"] }], null, NOW, 14),
    ).toBe("changed");
  });

  it("reads an admin as a supervisor too, as the app does", () => {
    const admin: CachedAccount = {
      ...account,
      roles: ["admin", "supervisor"],
      couchRoles: ["guichet:admin"],
    };
    expect(accessChanged(admin, card({ roles: ["admin"], services: [] }))).toBe(false);
  });
});

describe("a running session the server's directory outdates", () => {
  const session = {
    username: "marie",
    savedAt: "",
    passwordSetAt: "2026-12-01T00:00:00.000Z",
    roles: ["agent"],
    couchRoles: ["guichet:agent", "guichet:service:accueil"],
  };
  const same = card({ passwordSetAt: "2026-12-01T00:00:00.000Z" });

  it("goes on while the card says the same, or when the account has no card", () => {
    expect(sessionOutdated(session, [same])).toBe(false);
    expect(sessionOutdated(session, [card({ username: "paul", disabled: true })])).toBe(false);
    expect(sessionOutdated(session, undefined)).toBe(false);
  });

  it("locks when the account is disabled, given a new password, or other roles", () => {
    expect(sessionOutdated(session, [{ ...same, disabled: true }])).toBe(true);
    expect(sessionOutdated(session, [{ ...same, passwordSetAt: "2026-12-06T10:00:00.000Z" }])).toBe(true);
    expect(sessionOutdated(session, [{ ...same, roles: ["agent", "supervisor"] }])).toBe(true);
  });
});
