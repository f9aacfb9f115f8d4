import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";
import { createAdmin } from "./support/directory";

// Workstations read the configuration again every 2 s here (60 s in use).
const REFRESH_MS = "2000";

async function shortenRefresh(page: Page): Promise<void> {
  await page.evaluate((ms) => localStorage.setItem("guichet.configRefreshMs", ms), REFRESH_MS);
  await page.reload();
}

test("an admin adds a field; a logged-in workstation offers it without a new login, and an old request keeps its fields", async ({
  browser,
}) => {
  const env = testEnv();
  const admin = await createAdmin();
  const suffix = randomBytes(3).toString("hex");
  const id = `pret_salle_${suffix}`;
  const label = `Prêt de salle ${suffix}`;

  // A démarche of this test only (other specs rely on the default ones), at version 1.
  const auth = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString("base64")}`;
  const created = await fetch(`${env.apiUrl}/api/v1/admin/demarches/${id}`, {
    method: "PUT",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({
      label,
      category: "culture",
      description: "Salle des fêtes, salle polyvalente.",
      service: "accueil",
      rule: { kind: "none", onCorrection: "resume" },
      arOwed: true,
      retentionDays: 365,
      online: false,
      needsLocation: false,
      fields: [{ key: "salle", label: "Salle souhaitée", kind: "text", required: true }],
      baseVersion: 0,
    }),
  });
  expect(created.status).toBe(201);

  // The workstation logs in (it gets version 1) and records a request with it.
  const ws = await openWorkstation(browser);
  await shortenRefresh(ws.page);
  await login(ws.page, env.users.agentA);
  await ws.page.keyboard.press("Alt+n");
  await ws.page.getByRole("combobox", { name: /Démarche/ }).fill(label);
  await ws.page.keyboard.press("Enter");
  await ws.page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill("Garnier");
  await ws.page.getByRole("textbox", { name: /^Prénom/ }).fill("Anne");
  await ws.page.getByRole("textbox", { name: /^Salle souhaitée/ }).fill("Salle des fêtes");
  await ws.page.keyboard.press("Control+Enter");
  await expect(ws.page.getByTestId("tracking-number")).toBeVisible();
  await ws.page.getByRole("link", { name: "Ouvrir la demande" }).click();
  await expect(ws.page.getByTestId("detail-facts")).toContainText("Salle souhaitée");
  const oldRequest = new URL(ws.page.url()).hash;
  // Not an admin: no catalogue in the navigation, and the screen says why.
  await expect(ws.page.getByRole("link", { name: "Catalogue" })).toHaveCount(0);
  await ws.page.evaluate(() => {
    location.hash = "#/admin/catalogue";
  });
  await expect(ws.page.getByText("Réservé aux administrateurs")).toBeVisible();

  // The admin, on another workstation: renames the field and adds one.
  const adm = await openWorkstation(browser);
  await login(adm.page, admin);
  await adm.page.getByRole("link", { name: "Catalogue" }).click();
  await expect(adm.page.getByRole("heading", { name: "Catalogue des démarches", level: 1 })).toBeVisible();
  await expectNoSeriousViolations(adm.page, "catalogue");
  await adm.page.getByRole("button", { name: `Modifier « ${label} »` }).click();
  await expect(adm.page.getByRole("heading", { level: 1 })).toContainText("version 1");
  await adm.page.getByLabel(/^Libellé du champ/).fill("Salle demandée");
  await adm.page.getByRole("button", { name: "Ajouter un champ" }).click();
  const fields = adm.page.getByTestId("admin-field");
  await expect(fields).toHaveCount(2);
  const added = fields.nth(1);
  await expect(added.getByLabel(/^Libellé du champ/)).toBeFocused();
  // Saved without a label: the server's French message sits next to the field.
  await adm.page.getByRole("button", { name: "Enregistrer la démarche" }).click();
  await expect(adm.page.getByRole("heading", { name: "2 champs à corriger" })).toBeVisible();
  await expect(added.getByLabel(/^Libellé du champ/)).toHaveAttribute("aria-invalid", "true");
  await expect(added.locator(".field-error")).toHaveText([
    "Ce champ est obligatoire.",
    "Ce champ est obligatoire.",
  ]);
  await expectNoSeriousViolations(adm.page, "démarche à corriger");
  await added.getByLabel(/^Libellé du champ/).fill("Nombre de participants");
  await expect(added.getByLabel(/^Nom technique/)).toHaveValue("nombreDeParticipants");
  await added.getByLabel("Type").selectOption({ label: "Nombre" });
  await added.getByLabel("Obligatoire", { exact: true }).check();
  await adm.page.getByRole("button", { name: "Enregistrer la démarche" }).click();
  await expect(adm.page.getByText(`« ${label} » enregistrée en version 2`)).toBeVisible();
  await expect(adm.page.getByTestId("admin-demarche-row").filter({ hasText: label })).toContainText(
    "2 (1 ancienne)",
  );

  // The workstation, still logged in: the new form has the new field, without logging in again.
  await ws.page.keyboard.press("Alt+n");
  await ws.page.getByRole("combobox", { name: /Démarche/ }).fill(label);
  await ws.page.keyboard.press("Enter");
  await expect(ws.page.getByRole("textbox", { name: /^Nombre de participants/ })).toBeVisible({
    timeout: 20_000,
  });
  await expect(ws.page.getByRole("textbox", { name: /^Salle demandée/ })).toBeVisible();
  // The request made before the change still shows its fields as they were labelled then.
  await ws.page.evaluate((hash) => {
    location.hash = hash;
  }, oldRequest);
  const facts = ws.page.getByTestId("detail-facts");
  await expect(facts).toContainText("Salle souhaitée");
  await expect(facts).toContainText("Salle des fêtes");
  await expect(facts).not.toContainText("Salle demandée");
  await expect(facts).not.toContainText("Nombre de participants");

  // Offline, administration says it needs the server.
  await adm.context.setOffline(true);
  await adm.page.getByRole("link", { name: "Rechercher" }).click();
  await adm.page.getByRole("link", { name: "Catalogue" }).click();
  await expect(adm.page.getByTestId("admin-unavailable")).toContainText(
    "L'administration du catalogue a besoin du serveur",
  );

  expect(pageErrors(ws.page)).toEqual([]);
  expect(pageErrors(adm.page)).toEqual([]);
  await ws.context.close();
  await adm.context.close();
});

test("an admin writes a démarche's own wording for a notice; a wrong field is shown in French, then it is saved, versioned", async ({
  browser,
}) => {
  const env = testEnv();
  const admin = await createAdmin();
  const suffix = randomBytes(3).toString("hex");
  const id = `courrier_${suffix}`;
  const label = `Courriers ${suffix}`;
  // A démarche of this test only: the others' mails stay as other specs expect them.
  const auth = `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString("base64")}`;
  const created = await fetch(`${env.apiUrl}/api/v1/admin/demarches/${id}`, {
    method: "PUT",
    headers: { authorization: auth, "content-type": "application/json" },
    body: JSON.stringify({
      label,
      category: "culture",
      description: "Démarche de test des courriers.",
      service: "accueil",
      rule: { kind: "none", onCorrection: "resume" },
      arOwed: true,
      retentionDays: 365,
      online: false,
      needsLocation: false,
      fields: [],
      baseVersion: 0,
    }),
  });
  expect(created.status).toBe(201);

  const { context, page } = await openWorkstation(browser);
  await login(page, admin);
  await page.evaluate(() => {
    location.hash = "#/admin/catalogue";
  });
  await page.getByRole("button", { name: `Courriers à l'usager de « ${label} »` }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(`Courriers à l'usager : « ${label} »`);
  const answered = page.getByRole("group", { name: "Réponse envoyée" });
  await answered.getByRole("checkbox", { name: /Texte propre à cette démarche/ }).check();
  await answered.getByLabel("Objet du courriel").fill("Réponse : {reponse}");
  await answered.getByLabel("Texte de l'avis").fill("Bonjour,\n\nNotre réponse du {date} : {reponse}");
  await page.getByRole("button", { name: "Enregistrer les courriers" }).click();
  await expect(answered.locator(".field-error")).toContainText("Champ inconnu {reponse}");
  await expect(answered.getByLabel("Objet du courriel")).toHaveAttribute("aria-invalid", "true");

  await answered.getByLabel("Objet du courriel").fill("Votre demande {numero} : notre réponse");
  await page.getByRole("button", { name: "Enregistrer les courriers" }).click();
  await expect(page.getByText("Courriers enregistrés (version 1).")).toBeVisible();
  await expectNoSeriousViolations(page, "courriers à l'usager");

  // Saved on the server, as written.
  const stored = (await (
    await fetch(`${env.apiUrl}/api/v1/admin/demarches/${id}/notices`, { headers: { authorization: auth } })
  ).json()) as { version: number; templates: Record<string, { subject: string; body: string }> };
  expect(stored.version).toBe(1);
  expect(stored.templates).toEqual({
    answered: {
      subject: "Votre demande {numero} : notre réponse",
      body: "Bonjour,\n\nNotre réponse du {date} : {reponse}",
    },
  });
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
