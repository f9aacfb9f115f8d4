import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, testEnv } from "./support/app";

const IMG = `<img src=x onerror="window.__xss=1;alert('xss')">`;
const SCRIPT = `<script>window.__xss=2;alert('xss')</script>`;

test("citizen-typed markup stays text in the list, the detail and the printed AR", async ({ browser }) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  const tracking = await recordRequest(page, { lastName: IMG, firstName: "Zoé", message: SCRIPT });
  const injected = () => page.evaluate(() => (window as unknown as { __xss?: number }).__xss ?? null);

  // The AR on screen and as printed.
  const ar = page.getByTestId("acknowledgement");
  await expect(ar).toContainText(IMG);
  await page.emulateMedia({ media: "print" });
  await expect(ar).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Navigation principale" })).toBeHidden();
  await page.evaluate(() => {
    window.print = () => {
      (window as unknown as { __printed: boolean }).__printed = true;
    };
  });
  await page.emulateMedia({ media: "screen" });
  await page.getByTestId("print-ar").click();
  expect(await page.evaluate(() => (window as unknown as { __printed?: boolean }).__printed)).toBe(true);
  await expect(ar.locator("img, script")).toHaveCount(0);

  // The queue.
  await page.keyboard.press("Alt+f");
  const row = page.getByTestId("queue-row").filter({ hasText: tracking });
  // The other specs fill the same service: the newest request may be past the first page.
  await expect(async () => {
    await page.locator(".request-scroll").evaluate((el) => {
      el.scrollTop = el.scrollHeight;
    });
    await expect(row).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(row).toContainText(IMG);
  await expect(row.locator("img")).toHaveCount(0);

  // The detail, with the AR printed event in its history.
  await row.getByRole("link", { name: tracking }).click();
  await expect(page.getByTestId("detail-citizen")).toContainText(IMG);
  await expect(page.getByTestId("detail-facts")).toContainText(SCRIPT);
  await expect(page.getByTestId("timeline")).toContainText("Accusé de réception imprimé");
  await expect(page.locator("main img, main script")).toHaveCount(0);

  expect(await injected()).toBeNull();
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
