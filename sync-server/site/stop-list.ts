/** What a start-up opened, closed in reverse order; a failing close is reported, the others still run. */
export class StopList {
  private readonly steps: (() => Promise<void> | void)[] = [];

  constructor(private readonly onError: (e: unknown) => void) {}

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async stopAll(): Promise<void> {
    for (const step of this.steps.reverse().splice(0)) await Promise.resolve(step()).catch(this.onError);
  }

  /** Runs `start`; if it throws, closes what it opened before rethrowing. */
  async guard<T>(start: () => Promise<T>): Promise<T> {
    try {
      return await start();
    } catch (e) {
      await this.stopAll();
      throw e;
    }
  }
}
