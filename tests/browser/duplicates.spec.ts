import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, testEnv } from "./support/app";

test("a likely duplicate is suggested while typing and the contact is linked to it instead of creating a request", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  const first = await recordRequest(page, {
    lastName: "Lambert",
    firstName: "Noé",
    message: "Demande de rendez-vous",
  });

  await page.keyboard.press("Alt+n");
  await page.getByRole("combobox", { name: /Démarche/ }).fill("demande generale");
  await page.keyboard.press("Enter");
  await page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill("LAMBERT");
  await page.getByRole("textbox", { name: "Prénom (obligatoire)", exact: true }).fill("noe");
  const suggestion = page.getByTestId("duplicate").filter({ hasText: first });
  await expect(suggestion).toBeVisible();
  await suggestion.getByRole("button", { name: /Rattacher ce contact/ }).click();

  await expect(page.getByTestId("detail-tracking")).toHaveText(first);
  await expect(page.getByTestId("timeline")).toContainText("Nouveau contact (Guichet) de noe LAMBERT");
  // Nothing new was numbered: the queue still holds one request for this citizen.
  await page.keyboard.press("Alt+f");
  await expect(page.getByTestId("queue-row").filter({ hasText: "Lambert" })).toHaveCount(1);
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("a letter records its postmark, the day it arrived, who filed it and a scan that goes to the server with it", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentB);
  await page.keyboard.press("Alt+n");
  await page.getByRole("radio", { name: "Courrier" }).check();
  await page.getByRole("combobox", { name: /Démarche/ }).fill("demande generale");
  await page.keyboard.press("Enter");
  await page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill("Marchand");
  await page.getByRole("textbox", { name: "Prénom (obligatoire)", exact: true }).fill("Alice");
  await page.getByRole("textbox", { name: /^Votre demande/ }).fill("Lettre reçue");
  const day = (offset: number) => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Date du cachet de la poste").fill(day(3));
  await page.getByLabel(/Date de réception en mairie/).fill(day(1));
  await page.getByLabel("Déposée pour le compte de l'usager par une autre personne", { exact: true }).check();
  await page.getByLabel(/Nom de la personne qui dépose/).fill("Paul Marchand");
  await page.getByLabel(/Lien avec l'usager/).fill("fils");
  await expect(page.getByText("Les fichiers partent au serveur avec la demande")).toBeVisible();
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==",
    "base64",
  );
  await page
    .getByLabel("Pièces jointes", { exact: true })
    .setInputFiles({ name: "lettre.png", mimeType: "image/png", buffer: png });
  await expect(page.getByRole("button", { name: "Retirer lettre.png" })).toBeVisible();
  await page.getByRole("textbox", { name: /^Votre demande/ }).focus();
  await page.keyboard.press("Control+Enter");
  const ar = page.getByTestId("acknowledgement");
  await expect(ar).toContainText("par courrier");
  await expect(ar).toContainText("cachet de la poste du");
  const fr = (iso: string) =>
    new Date(`${iso}T12:00:00Z`).toLocaleDateString("fr-FR", {
      day: "numeric",
      month: "long",
      year: "numeric",
      timeZone: "UTC",
    });
  await expect(ar).toContainText(fr(day(1)).replace(/^1 /, "1er "));
  await page.getByRole("link", { name: "Ouvrir la demande" }).click();
  const facts = page.getByTestId("detail-facts");
  await expect(facts).toContainText("Paul Marchand (fils)");
  await expect(facts).toContainText("lettre.png (1 Ko)");
  // Online: the scan leaves for the server at once, and the workstation's copy with it.
  await expect(page.getByTestId("sync-attachments")).toHaveCount(0, { timeout: 30_000 });
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
