import { describe, expect, it } from "vitest";
import { LoginLockout } from "./login-lockout";

describe("login lockout", () => {
  it("locks a user from one address after 5 failures for 5 minutes, then lets them try again", () => {
    let now = 0;
    const lockout = new LoginLockout(5, 300_000, 100, () => now);
    for (let i = 0; i < 4; i += 1) lockout.fail("agent", "10.0.0.9");
    expect(lockout.lockedFor("agent", "10.0.0.9")).toBe(0);
    now = 1_000;
    lockout.fail("agent", "10.0.0.9");
    expect(lockout.lockedFor("agent", "10.0.0.9")).toBe(299_000);
    expect(lockout.lockedFor("agent", "10.0.0.8")).toBe(0);
    expect(lockout.lockedFor("encadrant", "10.0.0.9")).toBe(0);
    now = 300_001;
    expect(lockout.lockedFor("agent", "10.0.0.9")).toBe(0);
  });

  it("forgets the oldest pairs past its bound", () => {
    const lockout = new LoginLockout(1, 300_000, 2, () => 0);
    lockout.fail("a", "ip");
    lockout.fail("b", "ip");
    lockout.fail("c", "ip");
    expect(lockout.lockedFor("a", "ip")).toBe(0);
    expect(lockout.lockedFor("c", "ip")).toBeGreaterThan(0);
  });
});
