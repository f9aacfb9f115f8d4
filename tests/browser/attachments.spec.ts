import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, syncBar, testEnv } from "./support/app";

const SCAN = Buffer.from("%PDF-1.4\n% courrier scanné de M. Lefèvre\n%%EOF\n");

/** Clicks an attachment in the detail and returns the downloaded bytes. */
async function openAttachment(page: Page, name: string): Promise<Buffer> {
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: `Ouvrir ${name}` }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(name);
  return readFile((await download.path()) ?? "");
}

test("an attachment recorded offline waits on the workstation, reaches the server with its request, and opens on another workstation", async ({
  browser,
}) => {
  const env = testEnv();
  const a = await openWorkstation(browser);
  await login(a.page, env.users.agentA);
  const bar = syncBar(a.page);
  await expect(bar.state).toHaveText("En ligne");

  await a.context.setOffline(true);
  await expect(bar.state).toHaveText("Hors ligne");
  // A text file named like an image: refused by its content, in French, next to the field.
  await recordRequest(a.page, {
    lastName: "Lefèvre",
    firstName: "Marc",
    message: "Courrier reçu : demande de copie d'acte",
    attachments: [
      { name: "faux.png", mimeType: "image/png", buffer: Buffer.from("<img src=x onerror=alert(1)>") },
      { name: "courrier-lefevre.pdf", mimeType: "application/pdf", buffer: SCAN },
    ],
    beforeSave: async (page) => {
      await expect(page.getByText("« faux.png » n'est ni un PDF, ni une image JPEG ou PNG.")).toBeVisible();
    },
  });
  await expect(a.page.getByTestId("sync-attachments")).toHaveText("1 pièce jointe en attente d'envoi");
  await a.page.getByRole("link", { name: "Ouvrir la demande" }).click();
  const id = decodeURIComponent(new URL(a.page.url()).hash.split("/").pop() ?? "");
  await expect(a.page.getByText("(sur ce poste, en attente d'envoi au serveur)")).toBeVisible();
  // Offline, the file opens from this workstation.
  expect((await openAttachment(a.page, "courrier-lefevre.pdf")).equals(SCAN)).toBe(true);

  await a.context.setOffline(false);
  await expect(bar.pending).toHaveText("Tout est synchronisé", { timeout: 30_000 });
  await expect(a.page.getByTestId("sync-attachments")).toHaveCount(0, { timeout: 30_000 });

  // Another workstation, another agent: the file comes from the server.
  const b = await openWorkstation(browser);
  await login(b.page, env.users.agentB);
  await b.page.evaluate(
    (hash) => {
      location.hash = hash;
    },
    `#/request/${encodeURIComponent(id)}`,
  );
  await expect(b.page.getByTestId("detail-tracking")).toBeVisible({ timeout: 30_000 });
  await expect(b.page.getByText("(sur ce poste, en attente d'envoi au serveur)")).toHaveCount(0);
  expect((await openAttachment(b.page, "courrier-lefevre.pdf")).equals(SCAN)).toBe(true);

  expect(pageErrors(a.page)).toEqual([]);
  expect(pageErrors(b.page)).toEqual([]);
  await a.context.close();
  await b.context.close();
});
