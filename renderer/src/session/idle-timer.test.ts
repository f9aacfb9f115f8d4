import { describe, expect, it } from "vitest";
import { type Clock, idleLockMs, idleTimer } from "./idle-timer";

/** A clock moved by hand: timers fire when `advance` passes them. */
function manualClock() {
  let now = 0;
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn, ms) => {
      const id = nextId++;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
  };
  const advance = (ms: number) => {
    const target = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      timers = timers.filter((t) => t !== due);
      now = due.at;
      due.fn();
    }
    now = target;
  };
  // A laptop asleep: time jumps, and the pending timer fires only after.
  const sleep = (ms: number) => {
    now += ms;
    advance(0);
  };
  return { clock, advance, sleep };
}

describe("the idle lock's timer", () => {
  it("locks once after the delay without input", () => {
    const { clock, advance } = manualClock();
    let locks = 0;
    idleTimer({ timeoutMs: 5 * 60_000, onIdle: () => locks++, clock });
    advance(5 * 60_000 - 1);
    expect(locks).toBe(0);
    advance(1);
    expect(locks).toBe(1);
    advance(60 * 60_000);
    expect(locks).toBe(1);
  });

  it("counts the delay again from the last input", () => {
    const { clock, advance } = manualClock();
    let locks = 0;
    const timer = idleTimer({ timeoutMs: 60_000, onIdle: () => locks++, clock });
    advance(50_000);
    timer.touch();
    advance(50_000);
    expect(locks).toBe(0);
    timer.touch();
    advance(59_999);
    expect(locks).toBe(0);
    advance(1);
    expect(locks).toBe(1);
  });

  it("locks at once when the machine wakes past the delay", () => {
    const { clock, advance, sleep } = manualClock();
    let locks = 0;
    idleTimer({ timeoutMs: 60_000, onIdle: () => locks++, clock });
    advance(10_000);
    sleep(3 * 60 * 60_000);
    expect(locks).toBe(1);
  });

  it("never locks once stopped (logout, unmount)", () => {
    const { clock, advance } = manualClock();
    let locks = 0;
    const timer = idleTimer({ timeoutMs: 1_000, onIdle: () => locks++, clock });
    timer.stop();
    advance(10_000);
    expect(locks).toBe(0);
  });
});

describe("the idle delay", () => {
  it("is the commune's minutes, unless a test sets a shorter one of at least a second", () => {
    expect(idleLockMs(5, null)).toBe(300_000);
    expect(idleLockMs(5, "1500")).toBe(1_500);
    expect(idleLockMs(5, "10")).toBe(300_000);
    expect(idleLockMs(5, "abc")).toBe(300_000);
  });
});
