import { expect, type Page, test } from "@playwright/test";
import { WORKSTATION_HEADER } from "../../domain/workstation-status";
import { addUser } from "../../sync-server/couch/users";
import { login, openWorkstation, pageErrors, recordRequest, syncBar, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";
import { serverCouch } from "./support/directory";

// Names unique to this run: the server is shared by every spec of the run.
const TAG = Date.now().toString(36).slice(-5);

async function supervisor(): Promise<{ username: string; password: string }> {
  const env = testEnv();
  const user = { username: `chef-postes-${TAG}.${env.commune}`, password: `chef-${TAG}-motdepasse` };
  await addUser(serverCouch(), {
    name: user.username,
    password: user.password,
    roles: ["supervisor"],
    services: ["accueil"],
    commune: env.commune,
  });
  return user;
}

let chef: { username: string; password: string };
test.beforeAll(async () => {
  chef = await supervisor();
});

/** The code and secret the workstation was given at registration (its settings). */
async function identityOf(page: Page): Promise<{ code: string; secret: string }> {
  return page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem("guichet.settings.v1") ?? "{}") as Record<string, string>;
    return { code: s.workstationCode ?? "", secret: s.workstationSecret ?? "" };
  });
}

/** A raw call as that workstation would make it, with the agent's password: what a thief would try. */
async function asWorkstation(
  url: string,
  id: { code: string; secret: string },
  user: { username: string; password: string },
) {
  const res = await fetch(url, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString("base64")}`,
      [WORKSTATION_HEADER]: `${id.code}.${id.secret}`,
      Accept: "application/json",
    },
  });
  const body = (await res.json().catch(() => ({}))) as { error?: string; errors?: { field?: string }[] };
  return { status: res.status, error: body.error ?? body.errors?.[0]?.field ?? "" };
}

async function openFleet(page: Page): Promise<void> {
  await page.getByRole("link", { name: "Postes" }).click();
  await expect(page.getByRole("heading", { name: "Postes de la commune", level: 1 })).toBeVisible();
}

test("the fleet view shows a workstation's pending count, its last sync error and its last contact", async ({
  browser,
}) => {
  const env = testEnv();
  const a = await openWorkstation(browser);
  await login(a.page, env.users.agentA);
  await expect(syncBar(a.page).state).toHaveText("En ligne");
  const { code } = await identityOf(a.page);
  expect(code).toMatch(/^[0-9A-Z]{3}$/);

  // The server answers, but refuses the requests' uploads for a while: two requests stay pending.
  const origin = new URL(env.appUrl).origin;
  await a.page.route(`**/${env.mainDb}/_bulk_docs`, (route) =>
    route.request().method() === "POST"
      ? route.fulfill({
          status: 500,
          contentType: "application/json",
          headers: { "Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true" },
          body: JSON.stringify({ error: "unavailable", reason: "panne simulée" }),
        })
      : route.continue(),
  );
  for (const name of ["Lambert", "Bonnet"])
    await recordRequest(a.page, { lastName: name, firstName: "Zoé", message: "Question au guichet" });
  await expect(syncBar(a.page).pending).toHaveText("2 demandes en attente d'envoi");

  const s = await openWorkstation(browser);
  await login(s.page, chef);
  await openFleet(s.page);
  const row = s.page.getByTestId(`fleet-row-${code}`);
  const refresh = s.page.getByRole("button", { name: "Actualiser" });
  await expect(async () => {
    await refresh.click();
    await expect(row.getByTestId("fleet-pending")).toHaveText("2", { timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
  await expect(row).toContainText(env.users.agentA.username);
  // The workstation's own French words for the failure, as its sync bar showed them.
  await expect(row).toContainText("Le serveur a répondu une erreur (500)");
  // Last contact: the server's time of the report, today.
  const today = new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", day: "2-digit" }).format(
    new Date(),
  );
  await expect(row.getByTestId("fleet-contact")).toContainText(today);
  await expect(row.getByTestId("fleet-contact")).not.toHaveText("jamais");
  await expectNoSeriousViolations(s.page, "vue des postes");

  // The line recovers: the supervisor sees the count fall back to zero.
  await a.page.unroute(`**/${env.mainDb}/_bulk_docs`);
  await a.page.evaluate(() => window.dispatchEvent(new Event("online")));
  await expect(syncBar(a.page).pending).toHaveText("Tout est synchronisé", { timeout: 30_000 });
  await expect(async () => {
    await refresh.click();
    await expect(row.getByTestId("fleet-pending")).toHaveText("0", { timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
  expect(pageErrors(s.page)).toEqual([]);
  await a.context.close();
  await s.context.close();
});

test("a workstation revoked while offline is refused by the server the whole time and wipes its data when it reconnects", async ({
  browser,
}) => {
  const env = testEnv();
  const w = await openWorkstation(browser);
  await login(w.page, env.users.agentB);
  await expect(syncBar(w.page).state).toHaveText("En ligne");
  const id = await identityOf(w.page);

  // The laptop leaves with the line cut, and a request that never reached the server.
  await w.context.setOffline(true);
  await expect(syncBar(w.page).state).toHaveText("Hors ligne");
  const lost = await recordRequest(w.page, {
    lastName: "Perdu",
    firstName: "Jean",
    message: "Jamais envoyée",
  });

  // A supervisor revokes it with the keyboard, after reading what the server knows and what will be lost.
  const s = await openWorkstation(browser);
  await login(s.page, chef);
  await openFleet(s.page);
  const revoke = s.page.getByRole("button", { name: new RegExp(`Révoquer le poste ${id.code}`) });
  await expect(async () => {
    await s.page.getByRole("button", { name: "Actualiser" }).click();
    await expect(revoke).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 45_000 });
  await revoke.focus();
  await s.page.keyboard.press("Enter");
  const dialog = s.page.getByTestId("revoke-confirmation");
  // Escape cancels and gives the keyboard back to the button; Enter asks again.
  await expect(dialog).toBeVisible();
  await s.page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(revoke).toBeFocused();
  await s.page.keyboard.press("Enter");
  await expect(
    dialog.getByRole("heading", { name: new RegExp(`Révoquer le poste ${id.code}`) }),
  ).toBeFocused();
  await expect(dialog.getByTestId("revoke-server-knows")).toContainText("D'après le serveur");
  await expect(dialog).toContainText("Le travail jamais synchronisé sera perdu");
  const confirm = dialog.getByRole("button", { name: "Révoquer définitivement" });
  await expect(confirm).toBeEnabled();
  await expectNoSeriousViolations(s.page, "confirmation de la révocation d'un poste");
  await confirm.focus();
  await s.page.keyboard.press("Enter");
  await expect(s.page.getByRole("status").filter({ hasText: `Poste ${id.code} révoqué` })).toBeVisible();
  await expect(s.page.getByTestId(`fleet-row-${id.code}`).getByTestId("fleet-state")).toContainText(
    "Révoqué",
  );

  // From now on the server refuses it, even with the agent's right password.
  const couchChanges = `${env.couchUrl}/${env.mainDb}/_changes?limit=1`;
  const config = `${env.apiUrl}/api/v1/workstation/config`;
  for (const url of [couchChanges, config]) {
    expect(await asWorkstation(url, id, env.users.agentB)).toEqual({
      status: 403,
      error: "workstation_revoked",
    });
  }

  // It comes back online: refused at its first call, it wipes itself and says why.
  await w.context.setOffline(false);
  await expect(w.page.getByTestId("revoked-screen")).toBeVisible({ timeout: 30_000 });
  await expect(w.page.getByRole("alert")).toContainText("Un responsable de la mairie a révoqué ce poste");
  await expect(w.page.getByText(/Effacement du poste/)).toBeVisible({ timeout: 30_000 });
  await expectNoSeriousViolations(w.page, "poste révoqué");
  const left = await w.page.evaluate(async () => ({
    keys: Object.keys(localStorage),
    databases: (await indexedDB.databases()).map((d) => d.name),
  }));
  expect(left.keys).toEqual(["guichet.revoked.v1"]);
  expect(left.databases).toEqual([]);
  // Still refused after trying; its request never reached the server.
  expect(await asWorkstation(couchChanges, id, env.users.agentB)).toEqual({
    status: 403,
    error: "workstation_revoked",
  });
  const onServer = await fetch(`${env.couchUrl}/${env.mainDb}/${lost}`, {
    headers: {
      Authorization: `Basic ${Buffer.from(`${env.admin.username}:${env.admin.password}`).toString("base64")}`,
    },
  });
  expect(onServer.status).toBe(404);

  // A reload keeps saying why, on an empty replica, with no account to log in offline.
  await w.page.reload();
  await expect(w.page.getByTestId("revoked-screen")).toBeVisible();
  expect(await w.page.evaluate(() => localStorage.getItem("guichet.offline-accounts.v1"))).toBeNull();
  expect(pageErrors(s.page)).toEqual([]);
  await w.context.close();
  await s.context.close();
});
