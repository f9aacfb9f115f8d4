import { expect, test } from "@playwright/test";
import { formatTrackingNumber } from "../../domain/tracking-number";
import { login, openWorkstation, pageErrors, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";

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
  await expectNoSeriousViolations(page, "demande reçue par courriel, démarche à choisir");

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

test("a citizen's reply brings the pieces: the agent marks « pièces reçues » from the conversation and the délai resumes from the mail's arrival", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const env = testEnv();
  const subject = `Benne quai ${Date.now().toString(36)}`;
  const email = "nadia.haddad@example.org";
  const write = (s: string, text: string, file?: { name: string; type: string; data: Buffer }) => {
    const form = new FormData();
    form.set("name", "Nadia Haddad");
    form.set("email", email);
    form.set("subject", s);
    form.set("text", text);
    if (file) form.set("file", new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
    return fetch(`${env.apiUrl}/dev/mairie`, { method: "POST", body: form, redirect: "manual" });
  };
  expect((await write(subject, "Benne devant le 3 quai des Arts.")).status).toBe(303);
  const admin = `Basic ${Buffer.from(`${env.admin.username}:${env.admin.password}`).toString("base64")}`;
  const doc = async (id: string) =>
    (await (
      await fetch(`${env.couchUrl}/${env.mainDb}/${id}`, { headers: { authorization: admin } })
    ).json()) as {
      status: string;
      dueOn: string;
      events: { kind: string; at: string; piecesReceivedOn?: string }[];
    };
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
  const choice = page.getByTestId("demarche-choice");
  await page
    .getByLabel("Démarche de la demande")
    .selectOption({ label: "Autorisation d'occupation du domaine public" });
  await choice.getByRole("button", { name: "Choisir cette démarche" }).click();
  await expect(page.getByTestId("detail-facts")).toContainText("Services techniques");

  // The agent asks for a plan (L114-5: list and time limit).
  await page.getByLabel("Nouveau statut").selectOption({ label: "En attente de pièces" });
  await page.getByLabel(/Pièces manquantes/).fill("Plan de situation");
  await page.getByLabel(/À fournir au plus tard le/).fill("2099-01-31");
  await page.getByRole("button", { name: "Enregistrer le statut" }).click();
  await expect(page.getByTestId("detail-status")).toHaveText("En attente de pièces");
  await expect.poll(async () => (await doc(id)).status, { timeout: 30_000 }).toBe("incomplete");

  // The citizen answers with the plan, quoting the number: the mail joins the request.
  const pdf = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
  expect(
    (
      await write(`Re: demande n° ${formatTrackingNumber(id)}`, "Voici le plan demandé.", {
        name: "plan.pdf",
        type: "application/pdf",
        data: pdf,
      })
    ).status,
  ).toBe(303);
  const conversation = page.getByTestId("conversation");
  await expect(conversation).toContainText("Voici le plan demandé.", { timeout: 30_000 });
  await expect(page.getByTestId("new-message")).toBeVisible();
  await conversation.getByRole("button", { name: "Pièces reçues" }).click();
  await expect(page.getByTestId("detail-status")).toHaveText("En cours");
  await expect(page.getByTestId("timeline")).toContainText("Pièces reçues par courriel le");

  // Recorded with the day the mail arrived: the server's copy says when the délai resumed.
  await expect
    .poll(async () => (await doc(id)).events.find((e) => e.kind === "status" && e.piecesReceivedOn), {
      timeout: 30_000,
    })
    .toBeTruthy();
  const stored = await doc(id);
  const reply = stored.events.find((e) => e.kind === "message_in");
  const marked = stored.events.find((e) => e.piecesReceivedOn);
  expect(marked?.piecesReceivedOn).toBe(
    new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date(reply?.at ?? "")),
  );
  expect(stored.status).toBe("in_progress");
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
