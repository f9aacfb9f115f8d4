import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, syncBar, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";
import { createAdmin } from "./support/directory";

type Account = { username: string; password: string };

const basic = (a: Account) => `Basic ${Buffer.from(`${a.username}:${a.password}`).toString("base64")}`;

/** The commune's agents API, as an admin calls it. */
async function agentsApi(admin: Account, method: string, path: string, body?: unknown) {
  const res = await fetch(`${testEnv().apiUrl}/api/v1/admin/agents${path}`, {
    method,
    headers: { authorization: basic(admin), "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as { version?: number };
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Everything the page holds as text and markup, where a citizen's name must not be. */
const pageText = (page: Page) =>
  page.evaluate(() => `${document.documentElement.outerHTML}\n${document.title}`);

test("a disabled account cannot log in offline once the workstation has heard from the server", async ({
  browser,
}) => {
  const env = testEnv();
  const admin = await createAdmin();
  const agent = {
    username: `julie-${randomBytes(3).toString("hex")}.${env.commune}`,
    password: "julie-pass-123",
  };
  await agentsApi(admin, "POST", "", {
    username: agent.username,
    password: agent.password,
    firstName: "Julie",
    lastName: "Martin",
    position: "Agente d'accueil",
    roles: ["agent"],
    services: ["accueil"],
  });

  const { context, page } = await openWorkstation(browser);
  await login(page, agent);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  // A contact while the account is unchanged keeps its offline hash (same roles, services, password).
  await login(page, env.users.agentA);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  const accounts = () => page.evaluate(() => localStorage.getItem("guichet.offline-accounts.v1") ?? "");
  expect(await accounts()).toContain(agent.username);

  // Disabled on the server; this workstation learns it at its next contact (another agent logs in).
  const { version } = await agentsApi(admin, "GET", "");
  await agentsApi(admin, "PUT", `/${agent.username}`, { disabled: true, baseVersion: version });
  await login(page, env.users.agentA);
  await page.getByRole("button", { name: "Se déconnecter" }).click();

  await context.setOffline(true);
  await page.getByLabel("Identifiant").fill(agent.username);
  await page.getByLabel("Mot de passe").fill(agent.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await expect(page.getByRole("alert")).toContainText("Ce compte a été désactivé par la mairie");
  await expect(page.getByRole("navigation", { name: "Navigation principale" })).toHaveCount(0);
  // Its offline hash is gone from the workstation, not only refused.
  const cached = await accounts();
  expect(cached).not.toContain(agent.username);
  expect(cached).toContain(env.users.agentA.username);
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("the idle lock takes the citizens off the page, unlocks with the password offline, and keeps the form being typed", async ({
  browser,
}) => {
  const env = testEnv();
  const { context, page } = await openWorkstation(browser);
  await page.evaluate(() => localStorage.setItem("guichet.idleLockMs", "4000"));
  await login(page, env.users.agentA);
  const tracking = await recordRequest(page, {
    lastName: "Lemoine",
    firstName: "Odile",
    message: "Question sur le recensement",
  });
  // A new request half typed, then the agent walks away.
  await page.keyboard.press("Alt+n");
  await page.getByLabel(/^Nom/).fill("Bertrandeau");
  await page.getByLabel(/^Prénom/).fill("Gaspard");

  await expect(page.getByTestId("lock-screen")).toBeVisible({ timeout: 15_000 });
  await expect(page.getByRole("heading", { name: "Poste verrouillé", level: 1 })).toBeVisible();
  const locked = await pageText(page);
  for (const personal of ["Lemoine", "Odile", "Bertrandeau", "Gaspard", "recensement", tracking])
    expect(locked).not.toContain(personal);
  await expectNoSeriousViolations(page, "écran verrouillé");

  // The offline check: the line is cut while locked.
  await context.setOffline(true);
  await page.getByLabel("Mot de passe").fill("pas-le-bon");
  await page.getByRole("button", { name: "Déverrouiller" }).click();
  await expect(page.getByRole("alert")).toContainText("Mot de passe incorrect");
  await expect(page.getByTestId("lock-screen")).toBeVisible();
  await page.getByLabel("Mot de passe").fill(env.users.agentA.password);
  await page.getByRole("button", { name: "Déverrouiller" }).click();

  await expect(page.getByRole("heading", { name: "Nouvelle demande", level: 1 })).toBeVisible();
  await expect(page.getByLabel(/^Nom/)).toHaveValue("Bertrandeau");
  await expect(page.getByLabel(/^Prénom/)).toHaveValue("Gaspard");
  await expect(page.getByText("session hors ligne")).toBeVisible();
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("with the line cut, a reload brings the app back behind the lock, the agent unlocks offline and records a request that syncs later", async ({
  browser,
}) => {
  const env = testEnv();
  const agent = env.users.agentB;
  const { context, page } = await openWorkstation(browser);
  await login(page, agent);
  const bar = syncBar(page);
  // A fresh workstation after an online login is never said to be offline.
  await expect(bar.state).not.toHaveText("Hors ligne");
  await expect(bar.state).toHaveText("En ligne");
  await expect(bar.pending).toHaveText("Tout est synchronisé");
  // The service worker holds the app before the line goes.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

  await context.setOffline(true);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Poste verrouillé", level: 1 })).toBeVisible();
  await expect(page.getByText(`Session de ${agent.username}.`)).toBeVisible();
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  expect(stored).not.toContain(agent.password);
  await page.getByLabel("Mot de passe").fill(agent.password);
  await page.getByRole("button", { name: "Déverrouiller" }).click();
  await expect(page.getByRole("navigation", { name: "Navigation principale" })).toBeVisible();
  await expect(page.getByText("session hors ligne")).toBeVisible();
  await expect(bar.state).toHaveText("Hors ligne");

  const tracking = await recordRequest(page, {
    lastName: "Perrin",
    firstName: "Jacques",
    message: "Demande faite après un rechargement hors ligne",
  });
  await expect(bar.pending).toHaveText("1 demande en attente d'envoi");

  // The sync screen lists it, and its button says that nothing could leave.
  await page.getByRole("link", { name: "Synchronisation" }).click();
  await expect(page.getByTestId("pending-requests")).toContainText(tracking);
  await page.getByRole("button", { name: "Synchroniser maintenant" }).click();
  await expect(page.getByTestId("sync-now-result")).toHaveText(
    "Hors ligne : rien n'a pu être envoyé, 1 demande attend. Tout partira au retour du réseau.",
  );

  // A tab opened anew without network also gets the app.
  const again = await context.newPage();
  await again.goto(env.appUrl);
  await expect(again.getByRole("heading", { name: "Poste verrouillé", level: 1 })).toBeVisible();
  await again.close();

  await context.setOffline(false);
  await expect(bar.state).toHaveText("En ligne", { timeout: 30_000 });
  await expect(bar.pending).toHaveText("Tout est synchronisé", { timeout: 30_000 });
  await page.getByRole("button", { name: "Synchroniser maintenant" }).click();
  await expect(page.getByTestId("sync-now-result")).toContainText("Ce poste est à jour avec le serveur.");
  await expect(page.getByText("Aucune demande en attente d'envoi")).toBeVisible();
  const res = await fetch(`${env.couchUrl}/${env.mainDb}/${tracking.replace("-", "")}`, {
    headers: { authorization: basic(env.admin) },
  });
  expect(res.status).toBe(200);
  await expect(page.getByText(/Failed to fetch|Erreur de synchronisation/)).toHaveCount(0);
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("an agent whose password an admin resets is locked at the next contact, keeps the form and unlocks only with the new password", async ({
  browser,
}) => {
  const env = testEnv();
  const admin = await createAdmin();
  const agent = {
    username: `noe-${randomBytes(3).toString("hex")}.${env.commune}`,
    password: "noe-pass-123",
  };
  await agentsApi(admin, "POST", "", {
    username: agent.username,
    password: agent.password,
    firstName: "Noé",
    lastName: "Garnier",
    position: "Agent d'accueil",
    roles: ["agent", "service_agent"],
    services: ["accueil"],
  });
  const { context, page } = await openWorkstation(browser);
  // The configuration is read again every 2 s here (60 s in use).
  await page.evaluate(() => localStorage.setItem("guichet.configRefreshMs", "2000"));
  await page.reload();
  await login(page, agent);
  await page.keyboard.press("Alt+n");
  await page.getByLabel(/^Nom/).fill("Vasseur");

  await agentsApi(admin, "POST", `/${agent.username}/password`, { password: "noe-nouveau-456" });
  await expect(page.getByText("Votre compte vient d'être modifié par la mairie")).toBeVisible({
    timeout: 20_000,
  });
  expect(await pageText(page)).not.toContain("Vasseur");

  await page.getByLabel("Mot de passe").fill(agent.password);
  await page.getByRole("button", { name: "Déverrouiller" }).click();
  await expect(page.getByRole("alert")).toContainText("Identifiant ou mot de passe incorrect");
  await page.getByLabel("Mot de passe").fill("noe-nouveau-456");
  await page.getByRole("button", { name: "Déverrouiller" }).click();
  await expect(page.getByLabel(/^Nom/)).toHaveValue("Vasseur");
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
