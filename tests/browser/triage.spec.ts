import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, submitOnline, testEnv } from "./support/app";

test("a request submitted online appears in the triage queue without a reload", async ({ browser }) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  await page.getByRole("link", { name: "En ligne, à trier" }).click();
  await expect(page.getByRole("heading", { name: "En ligne, à trier", level: 2 })).toBeVisible();
  // Other specs file many online requests (oldest first here): narrow to this démarche so the
  // queue stays within its first page.
  await page.locator("#qf-demarche").selectOption({ label: "Demande générale, question ou réclamation" });
  // The filtered list settles (same row count twice in a row) before counting.
  let before = -1;
  for (let seen = -2; seen !== before; ) {
    seen = before;
    await page.waitForTimeout(400);
    before = await page.getByTestId("queue-row").count();
  }

  const trackingNumber = await submitOnline({
    demarche: "demande_generale",
    fields: { message: "Puis-je réserver la salle des fêtes en juin ?" },
    citizen: {
      firstName: "Inès",
      lastName: "Benali",
      email: "ines.benali@example.org",
      address: { line: "4 rue des Écoles", postcode: "75005", city: "Paris" },
    },
  });

  const row = page.getByTestId("queue-row").filter({ hasText: trackingNumber });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await expect(row).toContainText("En ligne");
  await expect(row).toContainText("Benali");
  expect(await page.getByTestId("queue-row").count()).toBe(before + 1);
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
