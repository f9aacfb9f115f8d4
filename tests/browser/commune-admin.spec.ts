import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";
import { createAdmin } from "./support/directory";

test("an admin fills the commune's identity and creates an agent; that agent's printed AR shows both", async ({
  browser,
}) => {
  const env = testEnv();
  const admin = await createAdmin();
  const agent = {
    username: `claire-${randomBytes(3).toString("hex")}.${env.commune}`,
    password: "claire-pass-123",
  };

  const adm = await openWorkstation(browser);
  await login(adm.page, admin);
  await adm.page.getByRole("link", { name: "Commune", exact: true }).click();
  await expect(
    adm.page.getByRole("heading", { name: "Administration de la commune", level: 1 }),
  ).toBeVisible();
  await expect(adm.page.getByTestId("identity-gaps")).toBeVisible();

  // A postcode the server refuses: its French message sits next to the field.
  const form = adm.page.getByTestId("identity-form");
  await form.getByLabel(/^Nom \(tel qu'il figure/).fill("Mairie de Testville");
  await form.getByLabel(/^Adresse de la mairie/).fill("2 rue de l'Hôtel de Ville");
  await form.getByLabel(/^Code postal/).fill("931");
  await form.getByLabel(/^Ville/).fill("Montreuil");
  await form.getByLabel(/^Téléphone/).fill("01 48 70 00 00");
  await form.getByLabel(/^Adresse électronique/).fill("accueil@testville.example");
  await form.getByLabel(/^Tribunal administratif compétent/).fill("Tribunal administratif de Montreuil");
  await form.getByLabel(/^Adresse du tribunal administratif/).fill("7 rue Catherine Puig, 93100 Montreuil");
  await form.getByRole("button", { name: "Enregistrer l'identité et le calendrier" }).click();
  await expect(form.getByLabel(/^Code postal/)).toHaveAttribute("aria-invalid", "true");
  await expect(form.locator(".field-error")).toHaveText(["Code postal : 5 chiffres."]);
  await form.getByLabel(/^Code postal/).fill("93100");
  await form.getByLabel(/^Code postal/).press("Enter");
  await expect(adm.page.getByTestId("identity-gaps")).toHaveText(
    "Identité complète : les documents officiels peuvent être établis.",
  );
  await expect(adm.page.getByText(`Version 2, enregistrée par ${admin.username}`)).toBeVisible();

  // The agent: account and card, from the keyboard.
  const newAgent = adm.page.getByTestId("new-agent-form");
  await newAgent.getByLabel(/^Identifiant de connexion/).fill(agent.username);
  await newAgent.getByLabel(/^Prénom/).fill("Claire");
  await newAgent.getByLabel(/^Nom/).fill("Dupont");
  await newAgent.getByLabel(/^Fonction/).fill("agente");
  await newAgent.getByLabel(/^Mot de passe/).fill(agent.password);
  await newAgent.getByLabel(/^Mot de passe/).press("Enter");
  await expect(adm.page.getByText(`Agent ${agent.username} créé.`)).toBeVisible();
  // Corrected position, and a service: the card letters print and the account's roles change together.
  await adm.page.getByRole("button", { name: `Modifier la fiche de ${agent.username}` }).click();
  const editing = adm.page.getByRole("group", { name: `Modifier la fiche de ${agent.username}` });
  await editing.getByLabel(/^Fonction/).fill("agente d'accueil");
  await editing.getByRole("checkbox", { name: "Agent de service" }).check();
  await editing.getByRole("checkbox", { name: "Service Enfance et scolaire" }).check();
  await editing.getByRole("checkbox", { name: "Service Enfance et scolaire" }).press("Enter");
  await expect(adm.page.getByText(`Rôles et services de ${agent.username} enregistrés.`)).toBeVisible();
  await expect(adm.page.getByTestId("admin-agent-row").filter({ hasText: agent.username })).toContainText(
    "agente d'accueil",
  );
  await expect(adm.page.getByTestId("admin-agent-row").filter({ hasText: agent.username })).toContainText(
    "Agent de service",
  );
  await expectNoSeriousViolations(adm.page, "administration de la commune");
  expect(pageErrors(adm.page)).toEqual([]);

  // The new agent logs in, records a request, takes it, and prints its AR.
  const ws = await openWorkstation(browser);
  await login(ws.page, agent);
  await ws.page.keyboard.press("Alt+n");
  await ws.page.getByRole("combobox", { name: /Démarche/ }).fill("restauration scolaire");
  await ws.page.keyboard.press("Enter");
  await ws.page.getByRole("textbox", { name: "Nom (obligatoire)", exact: true }).fill("Roux");
  await ws.page.getByRole("textbox", { name: /^Prénom/ }).fill("Lina");
  await ws.page.getByRole("textbox", { name: /Nom et prénom de l'enfant/ }).fill("Roux Tom");
  await ws.page.getByRole("textbox", { name: /École/ }).fill("École Jules-Ferry");
  await ws.page.keyboard.press("Control+Enter");
  const ar = ws.page.getByTestId("acknowledgement");
  await expect(ar).toContainText("Mairie de Testville");
  await expect(ar).toContainText("(aucun agent désigné à ce jour)");
  await ws.page.getByRole("link", { name: "Ouvrir la demande" }).click();
  // Only the directory's agents of the service are offered (the server refuses anyone else).
  const assignee = ws.page.getByLabel("Agent en charge (facultatif)");
  await expect(assignee.locator("option")).toHaveText([
    "Aucun agent désigné : le service en charge",
    `Claire Dupont, agente d'accueil (${agent.username})`,
  ]);
  await assignee.selectOption(agent.username);
  await ws.page.getByRole("button", { name: "Attribuer", exact: true }).click();
  await expect(ws.page.getByTestId("timeline")).toContainText(`à ${agent.username}`);

  await ws.page.emulateMedia({ media: "print" });
  const printed = ws.page.getByTestId("acknowledgement");
  await expect(printed).toBeVisible();
  for (const text of [
    "Mairie de Testville",
    "2 rue de l'Hôtel de Ville, 93100 Montreuil",
    "Téléphone : 01 48 70 00 00 – Courriel : accueil@testville.example",
    "Tribunal administratif de Montreuil, 7 rue Catherine Puig, 93100 Montreuil",
    "Claire Dupont, agente d'accueil",
  ]) {
    await expect(printed).toContainText(text);
  }
  await expect(printed).not.toContainText("Saint-Exemple");
  await expect(ws.page.getByTestId("ar-demo")).toHaveCount(0);
  await ws.page.emulateMedia({ media: "screen" });
  await ws.page.getByTestId("print-ar").evaluate((b) => {
    window.print = () => undefined;
    (b as HTMLButtonElement).click();
  });
  await expect(ws.page.getByTestId("timeline")).toContainText(/Accusé de réception/);
  expect(pageErrors(ws.page)).toEqual([]);
  await adm.context.close();
  await ws.context.close();
});
