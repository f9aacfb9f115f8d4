import { randomBytes } from "node:crypto";
import { expect, type Page, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";
import { createAdmin } from "./support/directory";

const PNG = Buffer.concat([Buffer.from("89504e470d0a1a0a0000000d49484452", "hex"), Buffer.alloc(300, 9)]);

/** An Open311 post as a city app sends it: multipart, photo in `media`, the key if any. */
async function post(key: string | null): Promise<Response> {
  const form = new FormData();
  const fields: Record<string, string> = {
    service_code: "signalement_voirie",
    address_string: "3 rue du Moulin",
    description: "Plaque d'égout soulevée.",
    first_name: "Léa",
    last_name: "Navarro",
    email: "lea.navarro@example.org",
    ...(key ? { api_key: key } : {}),
  };
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append("media", new Blob([new Uint8Array(PNG)], { type: "image/png" }), "egout.png");
  return fetch(`${testEnv().apiUrl}/open311/v2/requests.xml`, { method: "POST", body: form });
}

async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => {
    location.hash = h;
  }, hash);
}

test("an admin issues a key and requires it; an agent sees the application and publishes the checked photo; a revoked key no longer posts", async ({
  browser,
}) => {
  const env = testEnv();
  const admin = await createAdmin();
  const appName = `Signal'Quartier ${randomBytes(2).toString("hex")}`;

  const a = await openWorkstation(browser);
  await login(a.page, admin);
  await a.page.getByRole("link", { name: "Clés Open311" }).click();
  await expect(a.page.getByRole("heading", { name: "Clés d'API Open311", level: 1 })).toBeVisible();
  await a.page.getByLabel("Nom de l'application").fill(appName);
  await a.page.getByRole("button", { name: "Créer une clé" }).click();
  const key = (await a.page.getByTestId("api-key-issued").locator("code").textContent()) ?? "";
  expect(key).toMatch(/^[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
  await expect(a.page.getByRole("row", { name: new RegExp(appName) })).toContainText("Active");
  await a.page.getByRole("checkbox", { name: /Exiger une clé/ }).check();
  await expect(a.page.getByText("Une clé est désormais exigée pour déposer.")).toBeVisible();
  await expectNoSeriousViolations(a.page, "clés Open311");

  try {
    expect((await post(null)).status).toBe(403);
    const created = await post(key);
    const body = await created.text();
    expect(created.status, body).toBe(201);
    const tracking = /<service_request_id>([0-9A-Z-]+)<\/service_request_id>/.exec(body)?.[1] ?? "";
    const id = tracking.replace("-", "");

    // The agent's workstation: the application in the record, the photo published after a look.
    const b = await openWorkstation(browser);
    await login(b.page, env.users.agentA);
    await go(b.page, `#/request/${id}`);
    await expect(b.page.getByTestId("detail-tracking")).toBeVisible({ timeout: 30_000 });
    await expect(b.page.getByText(appName).first()).toBeVisible();
    const media = async () => {
      const res = await fetch(`${env.apiUrl}/open311/v2/requests/${tracking}.json`);
      return ((await res.json()) as { media_url?: string }[])[0]?.media_url;
    };
    expect(await media()).toBeUndefined();
    await b.page.getByRole("button", { name: "Publier la photo egout.png sur Open311" }).click();
    await expect(b.page.getByText(/aucun visage reconnaissable/)).toBeVisible();
    await b.page.getByRole("button", { name: "Oui, publier la photo" }).click();
    await expect(b.page.getByText("(publiée sur Open311)")).toBeVisible();
    await expect(b.page.getByText("Photo vérifiée et publiée (Open311)")).toBeVisible();
    // Once the workstation has sent it, the public list carries the photo's address.
    await expect.poll(media, { timeout: 30_000 }).toMatch(/\/open311\/v2\/media\/.+\.png$/);
    const photo = await fetch((await media()) ?? "");
    expect(Buffer.from(await photo.arrayBuffer()).equals(PNG)).toBe(true);
    expect(pageErrors(b.page)).toEqual([]);
    await b.context.close();

    // Revoked: the same key is refused.
    await a.page.getByRole("button", { name: `Révoquer la clé de « ${appName} »` }).click();
    await a.page.getByRole("button", { name: "Oui, révoquer" }).click();
    await expect(a.page.getByText(`Clé de « ${appName} » révoquée.`)).toBeVisible();
    await expect(a.page.getByRole("row", { name: new RegExp(appName) })).toContainText("Révoquée le");
    expect((await post(key)).status).toBe(403);
  } finally {
    await go(a.page, "#/admin/api-keys");
    const box = a.page.getByRole("checkbox", { name: /Exiger une clé/ });
    if (await box.isChecked()) await box.uncheck();
    await expect(box).not.toBeChecked();
  }
  expect(pageErrors(a.page)).toEqual([]);
  await a.context.close();
});
