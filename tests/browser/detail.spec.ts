import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, syncBar, testEnv } from "./support/app";

test("the detail shows the deadline and records actions as history events, and Alt+R logs a quick answer", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  // An SVR démarche: two months, then implicit rejection.
  await page.keyboard.press("Alt+n");
  await page.getByRole("combobox", { name: /Démarche/ }).fill("restauration scolaire");
  await page.keyboard.press("Enter");
  await page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill("Roux");
  await page.getByRole("textbox", { name: /^Prénom/ }).fill("Lina");
  await page.getByRole("textbox", { name: /Nom et prénom de l'enfant/ }).fill("Roux Tom");
  await page.getByRole("textbox", { name: /École/ }).fill("École Jules-Ferry");
  await page.keyboard.press("Control+Enter");
  const tracking = (await page.getByTestId("tracking-number").textContent()) ?? "";
  await expect(page.getByTestId("acknowledgement")).toContainText("réputée rejetée");
  await page.getByRole("link", { name: "Ouvrir la demande" }).click();

  await expect(page.getByTestId("detail-tracking")).toHaveText(tracking);
  await expect(page.getByTestId("deadline")).toContainText("Réputée rejetée le");
  await expect(page.getByTestId("deadline")).toContainText("jours restants");

  // The choices offered are explained, tied to the select for screen readers.
  await expect(page.getByLabel("Nouveau statut")).toHaveAttribute("aria-describedby", "action-status-help");
  await expect(page.getByTestId("status-choices-help")).toContainText(
    "Statuts possibles depuis « Reçue » pour votre rôle.",
  );

  // Mark incomplete: missing pieces and a date to supply them.
  await page.getByLabel("Nouveau statut").selectOption({ label: "En attente de pièces" });
  await page.getByRole("button", { name: "Enregistrer le statut" }).click();
  await expect(page.getByText("Indiquez au moins une pièce manquante.")).toBeVisible();
  await page.getByLabel(/Pièces manquantes/).fill("Avis d'imposition\nAttestation CAF");
  // The time given to produce them is mandatory (L114-5): refused on screen without it.
  await page.getByRole("button", { name: "Enregistrer le statut" }).click();
  await expect(page.getByText("Indiquez la date limite pour produire les pièces")).toBeVisible();
  await page.getByLabel("À fournir au plus tard le").fill("2030-01-15");
  await page.getByRole("button", { name: "Enregistrer le statut" }).click();
  await expect(page.getByTestId("detail-status")).toHaveText("En attente de pièces");
  const timeline = page.getByTestId("timeline");
  await expect(timeline).toContainText("Statut : Reçue → En attente de pièces");
  await expect(timeline).toContainText("Avis d'imposition ; Attestation CAF");
  await expect(timeline).toContainText("15/01/2030");
  // No email: the notice of the missing pieces is printed as a letter, made by the server.
  await expect(syncBar(page).pending).toHaveText("Tout est synchronisé", { timeout: 30_000 });
  const download = page.waitForEvent("download");
  await timeline.getByRole("button", { name: "Courrier à l'usager (PDF)" }).click();
  const letter = await download;
  expect(letter.suggestedFilename()).toBe(`courrier-${tracking.replace("-", "")}.pdf`);
  const bytes = await readFile((await letter.path()) ?? "");
  expect(bytes.subarray(0, 5).toString()).toBe("%PDF-");

  await page.getByLabel(/Note \(visible/).fill("Famille rappelée");
  await page.getByRole("button", { name: "Ajouter la note" }).click();
  await expect(timeline).toContainText("Famille rappelée");
  await page.getByLabel("Service", { exact: true }).selectOption({ label: "Service Enfance et scolaire" });
  await page.getByRole("button", { name: "Attribuer", exact: true }).click();
  await expect(timeline).toContainText("Attribuée au Service Enfance et scolaire");
  await expect(timeline).toContainText(`par ${env.users.agentA.username}`);

  await page.keyboard.press("Alt+r");
  await expect(page.getByRole("dialog", { name: "Réponse immédiate" })).toBeVisible();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("quick-count")).toHaveAttribute("data-count", "1");
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("once the answer is sent, the detail no longer counts down to an implicit decision", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  await page.keyboard.press("Alt+n");
  await page.getByRole("combobox", { name: /Démarche/ }).fill("restauration scolaire");
  await page.keyboard.press("Enter");
  await page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill("Morel");
  await page.getByRole("textbox", { name: /^Prénom/ }).fill("Inès");
  await page.getByRole("textbox", { name: /Nom et prénom de l'enfant/ }).fill("Morel Léo");
  await page.getByRole("textbox", { name: /École/ }).fill("École Jules-Ferry");
  await page.keyboard.press("Control+Enter");
  await page.getByRole("link", { name: "Ouvrir la demande" }).click();
  await expect(page.getByTestId("deadline")).toContainText("jours restants");

  await page.getByLabel("Nouveau statut").selectOption({ label: "Réponse envoyée" });
  await page.getByLabel(/^Réponse envoyée/).fill("Tarif réduit accordé.");
  await page.getByRole("button", { name: "Enregistrer le statut" }).click();
  await expect(page.getByTestId("detail-status")).toHaveText("Réponse envoyée");
  await expect(page.getByTestId("deadline")).toHaveText(
    "Réponse envoyée : plus de décision implicite à attendre.",
  );
  await expect(page.getByTestId("deadline")).not.toContainText("restants");
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
