import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, testEnv } from "./support/app";

test("an agent records a phone request with the keyboard only, gets its number and AR, and finds it in the service queue", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  // Guichet is the default channel: one ArrowRight picks Téléphone.
  const tracking = await recordRequest(
    page,
    {
      lastName: "Lefèvre",
      firstName: "Hélène",
      phone: "06 12 34 56 78",
      message: "Horaires d'ouverture du cimetière",
    },
    1,
  );
  expect(tracking).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
  const ar = page.getByTestId("acknowledgement");
  await expect(ar).toContainText("Accusé de réception");
  await expect(ar).toContainText(tracking);
  await expect(ar).toContainText("par téléphone");
  await expect(ar).toContainText("Hélène Lefèvre");

  await page.keyboard.press("Alt+f");
  const row = page.getByTestId("queue-row").filter({ hasText: tracking });
  await expect(row).toBeVisible();
  await expect(row).toContainText("Téléphone");
  await expect(row).toContainText("Lefèvre");
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
