import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, testEnv } from "./support/app";

test("after a first login online, the agent logs in offline; a wrong password and a locked account are said plainly", async ({
  browser,
}) => {
  const env = testEnv();
  const user = env.users.lockme;
  const { context, page } = await openWorkstation(browser);
  await login(page, user);
  // The password is never stored in clear on the workstation.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain(user.password);
  // Leaving from the settings screen ends on the login form, not on the settings.
  await page.goto(`${page.url().split("#")[0]}#/settings`);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await expect(page.getByRole("button", { name: "Se connecter" })).toBeVisible();

  // CouchDB 3 locks an account after 5 failures (the embedded server does not): its answer, as CouchDB gives it.
  await page.route("**/_session", (route) =>
    route.fulfill({
      status: 403,
      contentType: "application/json",
      body: JSON.stringify({
        error: "forbidden",
        reason: "Account is temporarily locked due to multiple authentication failures",
      }),
    }),
  );
  await page.getByLabel("Identifiant").fill(user.username);
  await page.getByLabel("Mot de passe").fill("mauvais-mot-de-passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toContainText("Compte bloqué pendant 5 minutes");
  await page.unroute("**/_session");

  await context.setOffline(true);
  await page.getByLabel("Mot de passe").fill("mauvais-mot-de-passe");
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toContainText("Mot de passe incorrect (vérification hors ligne");

  await page.getByLabel("Mot de passe").fill(user.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByText("connexion hors ligne sur ce poste")).toBeVisible();
  await expect(page.getByTestId("sync-state")).toHaveText("Hors ligne");
  await expect(page.getByText("session hors ligne")).toBeVisible();
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
