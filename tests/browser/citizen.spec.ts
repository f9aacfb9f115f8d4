import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, testEnv } from "./support/app";

test("search finds any word of a name, and one citizen's requests are gathered across channels", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  const atCounter = await recordRequest(page, {
    lastName: "Lefèvre-Müller",
    firstName: "Éloïse",
    phone: "06 12 34 56 78",
    message: "Inscription à la cantine",
  });
  // The same person calls a week later, her number written another way (channel: Téléphone).
  const byPhone = await recordRequest(
    page,
    { lastName: "Müller", firstName: "É.", phone: "+33 6 12 34 56 78", message: "Rappel cantine" },
    1,
  );
  // Same name, nothing else in common: another person.
  const namesake = await recordRequest(page, {
    lastName: "Lefèvre-Müller",
    firstName: "Éloïse",
    message: "Question sans rapport",
  });
  const huong = await recordRequest(page, { lastName: "Ngô", firstName: "Thị Hương", message: "Carte" });

  await page.keyboard.press("/");
  const box = page.getByRole("searchbox");
  const names = page.getByTestId("name-results");
  // A word from the middle or the end of the name, without accents or capitals.
  await page.keyboard.type("muller");
  for (const t of [atCounter, byPhone, namesake]) await expect(names).toContainText(t);
  await box.fill("eloise");
  await expect(names).toContainText(atCounter);
  await expect(names).toContainText(namesake);
  await box.fill("huong");
  await expect(names).toContainText(huong);
  await expect(names).not.toContainText(atCounter);
  // From search to the person's requests.
  await box.fill("muller");
  await names
    .getByRole("listitem")
    .filter({ hasText: atCounter })
    .getByRole("link", { name: "toutes les demandes de cette personne" })
    .click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(
    "Toutes les demandes de Éloïse Lefèvre-Müller",
  );
  const rows = page.getByTestId("citizen-request-row");
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: byPhone })).toContainText("Téléphone");
  await expect(rows.filter({ hasText: atCounter })).toContainText("Guichet");
  await expect(page.getByTestId("citizen-requests")).not.toContainText(namesake);

  // From a request's detail: the same person's other request, one click away.
  await rows.filter({ hasText: byPhone }).getByRole("link", { name: byPhone }).click();
  await expect(page.getByTestId("detail-tracking")).toHaveText(byPhone);
  const same = page.getByTestId("citizen-requests");
  await expect(same.getByTestId("citizen-request-row")).toHaveCount(1);
  await expect(same).toContainText(atCounter);
  await same.getByRole("link", { name: atCounter }).click();
  await expect(page.getByTestId("detail-tracking")).toHaveText(atCounter);
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
