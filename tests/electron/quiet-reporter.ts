import type { FullResult, Reporter, TestCase, TestResult } from "@playwright/test/reporter";

/**
 * Used when the smoke test is skipped: the global setup's one line is the whole report. Playwright
 * adds its line reporter when no reporter prints, hence `printsToStdio`; failures still show.
 */
export default class QuietReporter implements Reporter {
  printsToStdio(): boolean {
    return true;
  }
  onError(error: { message?: string }): void {
    console.error(error.message ?? String(error));
  }
  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.status === "failed" || result.status === "timedOut") {
      console.error(`Échec : ${test.title}\n${result.error?.message ?? ""}`);
    }
  }
  onEnd(result: FullResult): void {
    if (result.status !== "passed") console.error(`Test de fumée Electron : ${result.status}`);
  }
}
