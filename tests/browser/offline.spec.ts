import { expect, test } from "@playwright/test";
import { login, openWorkstation, pageErrors, recordRequest, syncBar, testEnv } from "./support/app";

test("three counter requests recorded with the line cut are kept, counted, then sent, and another workstation sees them", async ({
  browser,
}) => {
  const env = testEnv();
  const a = await openWorkstation(browser);
  await login(a.page, env.users.agentA);
  const bar = syncBar(a.page);
  await expect(bar.state).toHaveText("En ligne");

  await a.context.setOffline(true);
  await expect(bar.state).toHaveText("Hors ligne");
  const numbers: string[] = [];
  for (const [i, name] of ["Moreau", "Fournier", "Girard"].entries()) {
    numbers.push(
      await recordRequest(a.page, {
        lastName: name,
        firstName: "Paul",
        message: `Question n° ${i + 1} au guichet`,
      }),
    );
  }
  await expect(bar.state).toHaveText("Hors ligne");
  await expect(bar.pending).toHaveText("3 demandes en attente d'envoi");
  await expect(a.page.getByText("Le travail est enregistré sur ce poste")).toBeVisible();

  await a.context.setOffline(false);
  await expect(bar.state).toHaveText("En ligne", { timeout: 30_000 });
  await expect(bar.pending).toHaveText("Tout est synchronisé", { timeout: 30_000 });

  // Another workstation: its own context (own IndexedDB), another agent.
  const b = await openWorkstation(browser);
  await login(b.page, env.users.agentB);
  for (const n of numbers) await expect(b.page.getByTestId("queue-row").filter({ hasText: n })).toBeVisible();
  expect(pageErrors(a.page)).toEqual([]);
  expect(pageErrors(b.page)).toEqual([]);
  await a.context.close();
  await b.context.close();
});
