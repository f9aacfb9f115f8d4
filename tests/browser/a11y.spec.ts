import { expect, test } from "@playwright/test";
import { login, openWorkstation, recordRequest, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";

test("every screen passes axe-core with no serious or critical violation", async ({ browser }) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await expectNoSeriousViolations(page, "connexion");
  await page.getByRole("link", { name: "Réglages" }).click();
  await expectNoSeriousViolations(page, "réglages (avant connexion)");
  await page.getByRole("link", { name: "Retour à la connexion" }).click();
  await login(page, env.users.agentA);

  const tracking = await recordRequest(page, { lastName: "Petit", firstName: "Anne", message: "Question" });
  await expectNoSeriousViolations(page, "demande enregistrée et accusé de réception");

  await page.keyboard.press("Alt+n");
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("ArrowRight"); // courrier: the postal fields show
  await page.getByRole("combobox", { name: /Démarche/ }).fill("acte naissance");
  await page.keyboard.press("Enter");
  await page.getByRole("button", { name: /Enregistrer la demande/ }).click();
  await expect(page.locator("#error-summary")).toBeVisible();
  await expectNoSeriousViolations(page, "nouvelle demande avec erreurs");

  await page.keyboard.press("Alt+f");
  for (const queue of [
    "Mon service",
    "Toutes les demandes ouvertes",
    "En ligne, à trier",
    "Échéance proche",
  ]) {
    await page.getByRole("link", { name: queue }).first().click();
    await expect(page.getByTestId("queue-count").or(page.getByTestId("queue-empty"))).toBeVisible();
    await expectNoSeriousViolations(page, `file « ${queue} »`);
  }
  await page.getByRole("link", { name: "Mon service" }).click();
  await page.getByRole("link", { name: tracking }).click();
  await expect(page.getByTestId("detail-tracking")).toHaveText(tracking);
  await expectNoSeriousViolations(page, "détail d'une demande");

  await page.keyboard.press("/");
  await expect(page.getByRole("searchbox")).toBeFocused();
  await page.keyboard.type("petit");
  await expect(page.getByTestId("name-results")).toBeVisible();
  await expectNoSeriousViolations(page, "recherche");

  await page.getByRole("link", { name: "Synchronisation" }).click();
  await expectNoSeriousViolations(page, "synchronisation");
  await page.getByRole("link", { name: "Réglages" }).click();
  await expectNoSeriousViolations(page, "réglages");

  await page.keyboard.press("Alt+r");
  await expect(page.getByRole("dialog", { name: "Réponse immédiate" })).toBeVisible();
  await expectNoSeriousViolations(page, "réponse immédiate");
  await context.close();
});
