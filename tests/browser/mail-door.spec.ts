import { expect, test } from "@playwright/test";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { login, openWorkstation, pageErrors, testEnv } from "./support/app";

type Found = { docs: { _id: string }[] };

/**
 * The email door as an agent meets it: a citizen writes to the mairie (the demo mailbox of the dev
 * server), the mail becomes a « demande générale » request; the agent opens it, chooses its
 * démarche, and the request takes that démarche's service and délai, its history says so, and the
 * accusé de réception leaves by email.
 */
test("an agent chooses the démarche of a mail: service, délai and history follow, the accusé de réception leaves", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const env = testEnv();
  const subject = `Benne rue du Port ${Date.now().toString(36)}`;
  const sent = await fetch(`${env.apiUrl}/dev/mairie`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      name: "Marc Lefèvre",
      email: "marc.lefevre@example.org",
      subject,
      text: "Je voudrais poser une benne devant le 8 rue du Port du 1er au 3 avril.",
    }),
    redirect: "manual",
  });
  expect(sent.status).toBe(303);
  const admin = `Basic ${Buffer.from(`${env.admin.username}:${env.admin.password}`).toString("base64")}`;
  let id = "";
  await expect(async () => {
    const res = await fetch(`${env.couchUrl}/${env.mainDb}/_find`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: admin },
      body: JSON.stringify({ selector: { subject }, fields: ["_id"] }),
    });
    id = ((await res.json()) as Found).docs[0]?._id ?? "";
    expect(id).not.toBe("");
  }).toPass({ timeout: 30_000 });

  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  await page.evaluate(
    (hash) => {
      location.hash = hash;
    },
    `#/request/${encodeURIComponent(id)}`,
  );
  await expect(page.getByTestId("detail-tracking")).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Demande générale");
  const choice = page.getByTestId("demarche-choice");
  await expect(choice).toContainText("Courriel reçu sans démarche");

  const select = page.getByLabel("Démarche de la demande");
  // Sensitive démarches are filed in their own database: they are not offered.
  await expect(select.locator("option", { hasText: "CCAS" })).toHaveCount(0);
  await expect(select.locator("option", { hasText: "Police municipale" })).toHaveCount(0);
  await expect(page.getByTestId("deadline")).toContainText("Pas de décision implicite");
  await select.selectOption({ label: "Autorisation d'occupation du domaine public" });
  await choice.getByRole("button", { name: "Choisir cette démarche" }).click();

  await expect(page.getByRole("heading", { level: 1 })).toContainText(
    "Autorisation d'occupation du domaine public",
  );
  const facts = page.getByTestId("detail-facts");
  await expect(facts).toContainText("Services techniques");
  // The mail's text keeps its label after the change of démarche.
  await expect(facts).toContainText("Votre demande");
  await expect(choice).not.toContainText("Courriel reçu sans démarche");
  await expect(page.getByTestId("timeline")).toContainText(
    "Démarche choisie : Autorisation d'occupation du domaine public (service Services techniques)",
  );
  // SVR, two months from the day the mail arrived (today here).
  await expect(page.getByTestId("deadline")).toContainText("Réputée rejetée le");
  // The server sends the accusé de réception once the choice has synced; the conversation shows it.
  await expect(page.getByTestId("conversation")).toContainText("Accusé de réception envoyé par courriel", {
    timeout: 30_000,
  });
  const inbox = await (await fetch(`${env.apiUrl}/dev/inbox`)).text();
  const ars = inbox.match(new RegExp(`Accusé de réception[^<]*${formatTrackingNumber(id)}`, "g")) ?? [];
  expect(ars).toHaveLength(1);

  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
