import { readFileSync } from "node:fs";
import { expect, type Page, test } from "@playwright/test";
import { CHANNEL_LABELS, CHANNELS } from "../../domain/channels";
import { parseCsv } from "../../domain/csv";
import { withEvents } from "../../domain/history";
import type { GuichetRequest, RequestEvent } from "../../domain/request";
import { buildRequest, ev } from "../../domain/test-fixtures";
import { makeTrackingNumber } from "../../domain/tracking-number";
import { communeRole, couchRole } from "../../sync-server/couch/couch-roles";
import { login, openWorkstation, pageErrors, submitOnline, testEnv } from "./support/app";
import { expectNoSeriousViolations } from "./support/axe";
import { addDirectoryAgents } from "./support/directory";
import { savedDashboardRows } from "./support/saved-rows";

// Names unique to this run: the server is shared by every spec of the run.
const TAG = Date.now().toString(36).slice(-5);

/**
 * The dashboard's figures are checked against a computation of the test's own, written plainly
 * from every request the server holds (other specs' requests included): what the supervisor's
 * replica holds once synchronised.
 */
const DAY = 86_400_000;
const parisDayFmt = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Europe/Paris",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const parisDay = (instant: string | number) => parisDayFmt.format(new Date(instant));
const shiftDay = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);
const dayDiff = (a: string, b: string) =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY);

type Env = ReturnType<typeof testEnv>;
const adminAuth = (env: Env) =>
  `Basic ${Buffer.from(`${env.admin.username}:${env.admin.password}`).toString("base64")}`;

async function couch(
  env: Env,
  path: string,
  init: { method?: string; body?: unknown; as?: { username: string; password: string } } = {},
) {
  const auth = init.as
    ? `Basic ${Buffer.from(`${init.as.username}:${init.as.password}`).toString("base64")}`
    : adminAuth(env);
  const res = await fetch(`${env.couchUrl}/${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: auth, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await res.json()) as unknown;
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

async function supervisorAccount(env: Env, name = "chef") {
  const user = { username: `${name}.${env.commune}`, password: `mdp-${Date.now().toString(36)}-encadrant` };
  await couch(env, `_users/org.couchdb.user:${user.username}`, {
    method: "PUT",
    body: {
      name: user.username,
      password: user.password,
      type: "user",
      roles: [
        communeRole(env.commune),
        couchRole(env.commune, "agent"),
        couchRole(env.commune, "supervisor"),
      ],
    },
  });
  return user;
}

/** Requests with a history, received over the last 80 days: answered after various delays, some due soon, some past. */
function seedRequests(env: Env, by: string): GuichetRequest[] {
  const now = Date.now();
  const out: GuichetRequest[] = [];
  const at = (ms: number) => new Date(ms).toISOString();
  const make = (seq: number, demarche: string, channel: GuichetRequest["channel"], daysAgo: number) =>
    buildRequest(demarche, {
      content: { channel },
      ctx: {
        commune: env.commune,
        tracking: makeTrackingNumber("T9Z", seq),
        now: at(now - daysAgo * DAY),
        by,
        workstation: "T9Z",
      },
    });
  // Agents' doors only: "en_ligne" is the portal's (its requests come through the API below).
  const channels: GuichetRequest["channel"][] = ["guichet", "telephone", "courrier", "courriel", "autre"];
  for (let i = 0; i < 24; i++) {
    // SVR démarche (2 months) for most: received 3 to 77 days ago, some due soon, some past.
    const demarche = i % 4 === 3 ? "demande_generale" : "aide_restauration_scolaire";
    const daysAgo = 3 + ((i * 13) % 75);
    let r = make(i + 1, demarche, channels[i % channels.length]!, daysAgo);
    const received = now - daysAgo * DAY;
    const events: RequestEvent[] = [];
    if (i % 3 !== 0)
      events.push(
        ev.assigned(
          at(received + 3_600_000),
          r.service,
          `${i % 4 === 3 ? "accueil" : "scolaire"}-${i % 4}-${TAG}`,
          { by },
        ),
      );
    const answerAfter = i % 5;
    if (i % 2 === 0 && received + answerAfter * DAY + 7_200_000 < now) {
      events.push(
        ev.status(
          at(received + answerAfter * DAY + 7_200_000),
          i % 3 === 0 ? "received" : "assigned",
          "answered",
          { by },
          { answer: "Réponse." },
        ),
      );
    }
    if (events.length > 0) r = withEvents(r, events);
    out.push(r);
  }
  return out;
}

type Doc = GuichetRequest & { _id: string };

/** The figures, computed plainly from the server's documents. */
function expected(docs: Doc[], from: string, to: string, today: string, riskDays: number) {
  const within = (d: string) => d >= from && d <= to;
  const received = docs.filter((d) => within(d.receivedOn));
  const firstAnswer = (d: Doc) =>
    d.events
      .filter((e) => e.kind === "status" && e.to === "answered")
      .map((e) => e.at)
      .sort((a, b) => Date.parse(a) - Date.parse(b))[0];
  const answered = docs.flatMap((d) => {
    const a = firstAnswer(d);
    return a && within(parisDay(a)) ? [{ d, day: parisDay(a) }] : [];
  });
  const delays = answered.map(({ d, day }) => dayDiff(d.receivedOn, day)).sort((a, b) => a - b);
  const n = delays.length;
  const hasDeadline = (d: Doc) => d.outcome !== "none" && d.dueOn !== "9999-12-31";
  const dated = answered.filter(({ d }) => hasDeadline(d));
  const open = docs.filter((d) => d.open);
  const past = (d: Doc) => d.implicitDecision !== "none" || (hasDeadline(d) && d.dueOn < today);
  const riskEnd = shiftDay(today, riskDays);
  return {
    received: received.length,
    byChannel: Object.fromEntries(CHANNELS.map((c) => [c, received.filter((d) => d.channel === c).length])),
    answered: n,
    median: n === 0 ? null : n % 2 ? delays[(n - 1) / 2]! : (delays[n / 2 - 1]! + delays[n / 2]!) / 2,
    p90: n === 0 ? null : delays[Math.ceil(0.9 * n) - 1]!,
    withDeadline: dated.length,
    onTime: dated.filter(({ d, day }) => day <= d.dueOn).length,
    atRisk: open.filter((d) => !past(d) && hasDeadline(d) && d.dueOn <= riskEnd).length,
    past: open.filter(past).length,
    open: open.length,
  };
}

/** The first number of a figure as shown (fr-FR: narrow spaces, decimal comma). */
async function figure(page: Page, key: string): Promise<number | null> {
  const text = (await page.getByTestId(`fig-${key}`).textContent()) ?? "";
  const m = /^[\d\s\u202f\u00a0]+(,\d+)?/.exec(text);
  return m ? Number(m[0].replace(/[\s\u202f\u00a0]/g, "").replace(",", ".")) : null;
}

test("a supervisor's dashboard shows the replica's figures, exports them as CSV, and stays closed to agents", async ({
  browser,
}) => {
  const env = testEnv();
  const chef = await supervisorAccount(env);
  // The seed hands requests to agents of the directory, as the server requires.
  await addDirectoryAgents(TAG, [
    [`scolaire-0-${TAG}`, ["scolaire"]],
    [`scolaire-1-${TAG}`, ["scolaire"]],
    [`scolaire-2-${TAG}`, ["scolaire"]],
    [`accueil-3-${TAG}`, ["accueil"]],
  ]);
  const seeded = seedRequests(env, chef.username);
  const bulk = (await couch(env, `${env.mainDb}/_bulk_docs`, {
    method: "POST",
    body: { docs: seeded.map((r) => ({ ...r, _id: r.id })) },
    // The server checks the author of every event: the supervisor writes its own history.
    as: chef,
  })) as { id: string; error?: string; reason?: string }[];
  expect(bulk.filter((r) => r.error)).toEqual([]);
  // Online requests come through the portal's API only.
  for (const lastName of ["Benali", "Nguyen"]) {
    await submitOnline({
      demarche: "demande_generale",
      fields: { message: "Puis-je réserver la salle des fêtes ?" },
      citizen: {
        firstName: "Inès",
        lastName,
        email: "ines@example.org",
        address: { line: "4 rue des Écoles", postcode: "75005", city: "Paris" },
      },
    });
  }
  const all = (await couch(env, `${env.mainDb}/_all_docs?include_docs=true`)) as { rows: { doc: Doc }[] };
  const docs = all.rows.map((r) => r.doc).filter((d) => d.type === "request");

  const today = parisDay(Date.now());
  const from = shiftDay(today, -59);
  const want = expected(docs, from, today, today, 15);
  // The seed makes every figure non-trivial.
  expect(want.answered).toBeGreaterThan(3);
  expect(want.atRisk).toBeGreaterThan(0);
  expect(want.past).toBeGreaterThan(0);
  expect(want.byChannel.en_ligne).toBeGreaterThan(0);

  const { context, page } = await openWorkstation(browser);
  await login(page, chef);
  await page.getByRole("link", { name: "Tableau de bord" }).click();
  await expect(page.getByRole("heading", { name: "Tableau de bord", level: 1 })).toBeVisible();
  const dashboard = page.getByTestId("dashboard");
  // The replica has caught up with the server: the figures cover the same requests.
  await expect(dashboard).toHaveAttribute("data-total", String(docs.length), { timeout: 30_000 });

  await page.getByRole("radio", { name: "Personnalisée" }).check();
  await page.getByLabel("Du", { exact: true }).fill(from);
  await page.getByLabel("Au", { exact: true }).fill(today);
  await expect(page.getByRole("heading", { level: 2, name: /En bref/ })).toContainText(
    `${from.slice(8)}/${from.slice(5, 7)}/${from.slice(0, 4)}`,
  );
  expect(await figure(page, "received")).toBe(want.received);
  expect(await figure(page, "answered")).toBe(want.answered);
  expect(await figure(page, "median")).toBe(want.median);
  expect(await figure(page, "p90")).toBe(want.p90);
  expect(await figure(page, "ontime")).toBeCloseTo((100 * want.onTime) / want.withDeadline, 1);
  expect(await figure(page, "atrisk")).toBe(want.atRisk);
  expect(await figure(page, "past")).toBe(want.past);
  expect(await figure(page, "open")).toBe(want.open);

  // The chart's numbers, as a table.
  await page.getByText("Voir les chiffres : Demandes reçues par canal").click();
  const table = page.getByTestId("chart-channel-table");
  for (const c of CHANNELS) {
    await expect(table.getByRole("row", { name: CHANNEL_LABELS[c] })).toContainText(
      String(want.byChannel[c]),
    );
  }

  // Another threshold for "due soon": recomputed at once.
  const fewer = expected(docs, from, today, today, 3);
  await page.getByLabel(/Échéance proche/).fill("3");
  await expect(page.getByTestId("fig-atrisk")).toHaveText(String(fewer.atRisk));

  // Immediate answers logged on this workstation show up in the period's count.
  const quickBefore = (await figure(page, "quick")) ?? 0;
  for (let i = 0; i < 2; i++) {
    await page.keyboard.press("Alt+r");
    await expect(page.getByRole("dialog", { name: "Réponse immédiate" })).toBeVisible();
    await page.keyboard.press("Enter");
    await expect(page.getByRole("dialog", { name: "Réponse immédiate" })).toBeHidden();
  }
  await expect(page.getByTestId("fig-quick")).toHaveText(String(quickBefore + 2));

  // CSV export, read back.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Exporter les statistiques (CSV)" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(`statistiques-${from}_${today}.csv`);
  const text = readFileSync(await download.path(), "utf8");
  expect(text.startsWith("\uFEFF")).toBe(true);
  expect(text).toContain("\r\n");
  const rows = parseCsv(text);
  expect(rows[0]).toEqual(["Rubrique", "Élément", "Valeur"]);
  const cell = (section: string, item: string) => rows.find((r) => r[0] === section && r[1] === item)?.[2];
  const csvNum = (x: number | null) => (x === null ? "" : String(x).replace(".", ","));
  expect(cell("Période", "Du")).toBe(`${from.slice(8)}/${from.slice(5, 7)}/${from.slice(0, 4)}`);
  expect(cell("Demandes reçues", "Total")).toBe(String(want.received));
  for (const c of CHANNELS)
    expect(cell("Demandes reçues par canal", CHANNEL_LABELS[c])).toBe(String(want.byChannel[c]));
  expect(cell("Délais de réponse", "Réponses envoyées")).toBe(String(want.answered));
  expect(cell("Délais de réponse", "Délai médian (jours)")).toBe(csvNum(want.median));
  expect(cell("Délais de réponse", "90e centile (jours)")).toBe(csvNum(want.p90));
  expect(cell("Délais de réponse", "Dont envoyées au plus tard à cette date")).toBe(String(want.onTime));
  expect(cell("Échéances", "Décision implicite dans les 3 jours")).toBe(String(fewer.atRisk));
  expect(cell("Échéances", "Date de décision implicite dépassée")).toBe(String(want.past));
  expect(cell("Demandes en attente", "Total")).toBe(String(want.open));
  expect(cell("Réponses immédiates par canal", "Total")).toBe(String(quickBefore + 2));

  // Accessibility, with every table open.
  for (const summary of await page.locator("details.chart-table > summary").all()) {
    if (!(await summary.evaluate((s) => (s.parentElement as HTMLDetailsElement).open))) await summary.click();
  }
  await expectNoSeriousViolations(page, "tableau de bord");
  expect(pageErrors(page)).toEqual([]);
  await context.close();

  // An agent without the supervisor role: no link, and the route itself says no.
  const agent = await openWorkstation(browser);
  await login(agent.page, env.users.agentA);
  await expect(agent.page.getByRole("link", { name: "Tableau de bord" })).toHaveCount(0);
  await agent.page.evaluate(() => {
    location.hash = "#/dashboard";
  });
  await expect(agent.page.getByTestId("dashboard-forbidden")).toBeVisible();
  await expect(agent.page.getByTestId("dashboard")).toHaveCount(0);
  await agent.context.close();
});

test("an agent's session keeps the dashboard's rows, and the supervisor who logs in next on that workstation starts from them", async ({
  browser,
}) => {
  const env = testEnv();
  const chef = await supervisorAccount(env, "chef-suivant");
  // Requests on the server (through the portal's API), whatever the other specs left there.
  for (const lastName of ["Moreau", "Perrin"]) {
    await submitOnline({
      demarche: "demande_generale",
      fields: { message: "Quels sont les horaires de la piscine ?" },
      citizen: {
        firstName: "Léa",
        lastName,
        email: "lea@example.org",
        address: { line: "2 place de la Mairie", postcode: "75005", city: "Paris" },
      },
    });
  }
  const all = (await couch(env, `${env.mainDb}/_all_docs?include_docs=true`)) as { rows: { doc: Doc }[] };
  const total = all.rows.filter((r) => r.doc.type === "request").length;

  const { context, page } = await openWorkstation(browser);
  await login(page, env.users.agentA);
  // The agent never opens the dashboard: the rows are built as the replication writes, then saved.
  await expect.poll(() => savedDashboardRows(page), { timeout: 30_000 }).toBeGreaterThanOrEqual(total);
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await page.reload();
  await login(page, chef);
  await page.getByRole("link", { name: "Tableau de bord" }).click();
  await expect(page.getByTestId("dashboard")).toHaveAttribute("data-ready", "true");
  const shown = Number(await page.getByTestId("dashboard").getAttribute("data-total"));
  expect(shown).toBeGreaterThanOrEqual(total);
  expect(pageErrors(page)).toEqual([]);
  await context.close();
});
