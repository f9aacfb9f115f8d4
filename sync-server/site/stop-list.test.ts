import { describe, expect, it } from "vitest";
import { StopList } from "./stop-list";

describe("StopList", () => {
  it("closes in reverse order of opening, and reports a failing close without skipping the others", async () => {
    const closed: string[] = [];
    const errors: unknown[] = [];
    const stops = new StopList((e) => errors.push(e));
    stops.add(() => void closed.push("database"));
    stops.add(async () => {
      closed.push("mail");
      throw new Error("relais injoignable");
    });
    stops.add(() => void closed.push("http"));
    await stops.stopAll();
    expect(closed).toEqual(["http", "mail", "database"]);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe("relais injoignable");
  });

  it("closes each step once, however often stopAll is called", async () => {
    let closes = 0;
    const stops = new StopList(() => undefined);
    stops.add(() => {
      closes += 1;
    });
    await stops.stopAll();
    await stops.stopAll();
    expect(closes).toBe(1);
  });

  it("guard: a start-up that throws closes what it opened, then rethrows", async () => {
    const closed: string[] = [];
    const stops = new StopList(() => undefined);
    await expect(
      stops.guard(async () => {
        stops.add(() => void closed.push("database"));
        throw new Error("bootstrap refusé");
      }),
    ).rejects.toThrow("bootstrap refusé");
    expect(closed).toEqual(["database"]);
  });

  it("guard: a start-up that succeeds leaves everything open", async () => {
    const closed: string[] = [];
    const stops = new StopList(() => undefined);
    const started = await stops.guard(async () => {
      stops.add(() => void closed.push("x"));
      return 42;
    });
    expect(started).toBe(42);
    expect(closed).toEqual([]);
  });
});
