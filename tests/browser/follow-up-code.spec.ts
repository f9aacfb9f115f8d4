import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, syncBar, testEnv } from "./support/app";

test("a citizen with no email follows a phone request on the portal with the number and code the agent gave", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  // One ArrowRight: Téléphone. No email given.
  const tracking = await recordRequest(
    page,
    { lastName: "Nguyen", firstName: "Thi Huong", message: "Demande de rendez-vous pour un mariage" },
    1,
  );
  const code = (await page.getByTestId("follow-up-code").textContent()) ?? "";
  expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
  await expect(page.getByTestId("acknowledgement")).toContainText(`le code de suivi ${code}`);
  await expect(syncBar(page).pending).toHaveText("Tout est synchronisé", { timeout: 30_000 });

  // The citizen, on the portal, in another browser context.
  const citizen = await browser.newContext({ locale: "fr-FR" });
  const portal = await citizen.newPage();
  await portal.goto(`${env.apiUrl}/suivi`);
  await portal.getByLabel("Numéro de suivi").fill(tracking.toLowerCase());
  await portal.getByLabel("Adresse électronique ou code de suivi").fill(code.replace("-", " "));
  await portal.getByRole("button", { name: "Voir ma demande" }).click();
  await expect(portal.getByRole("heading", { level: 1 })).toContainText(tracking);
  await expect(portal.locator("body")).toContainText("Demande reçue");
  // The status page shows no personal data.
  await expect(portal.locator("body")).not.toContainText("Nguyen");

  // A wrong code gets the same answer as an unknown number.
  await portal.goto(`${env.apiUrl}/suivi`);
  await portal.getByLabel("Numéro de suivi").fill(tracking);
  await portal.getByLabel("Adresse électronique ou code de suivi").fill("2222-2222");
  await portal.getByRole("button", { name: "Voir ma demande" }).click();
  await expect(portal.getByRole("alert")).toContainText("Aucune demande ne correspond");
  expect(pageErrors(page)).toEqual([]);
  await citizen.close();
  await context.close();
});
