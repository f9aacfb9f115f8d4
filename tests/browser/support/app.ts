import { type Browser, type BrowserContext, expect, type Locator, type Page } from "@playwright/test";
import type { TestEnv } from "./global-setup";

export function testEnv(): TestEnv {
  const raw = process.env.GUICHET_TEST_ENV;
  if (!raw) throw new Error("GUICHET_TEST_ENV absent : la mise en place globale n'a pas tourné.");
  return JSON.parse(raw) as TestEnv;
}

/** A workstation = its own browser context (own IndexedDB, own leader election: TECH-NOTES). */
export async function openWorkstation(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ locale: "fr-FR", timezoneId: "Europe/Paris" });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // Console errors, except failed requests while the line is cut (the app expects those).
  page.on("console", (m) => {
    if (
      m.type() === "error" &&
      !/ERR_INTERNET_DISCONNECTED|Failed to load resource|ERR_CONNECTION/.test(m.text())
    )
      errors.push(`console: ${m.text()}`);
  });
  // A citizen's payload must never run: any dialog means it did.
  page.on("dialog", (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  (page as Page & { guichetErrors: string[] }).guichetErrors = errors;
  await page.goto(testEnv().appUrl);
  return { context, page };
}

export const pageErrors = (page: Page): string[] =>
  (page as Page & { guichetErrors: string[] }).guichetErrors;

/** Logs in with the keyboard only. */
export async function login(page: Page, user: { username: string; password: string }): Promise<void> {
  await expect(page.getByLabel("Identifiant")).toBeFocused();
  await page.keyboard.type(user.username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(user.password);
  await page.keyboard.press("Enter");
  await expect(page.getByRole("navigation", { name: "Navigation principale" })).toBeVisible();
}

/** Presses Tab until `target` has the focus: the way a keyboard user gets there. */
export async function tabTo(page: Page, target: Locator, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab n'a pas atteint ${target}`);
}

export async function tabAndType(page: Page, target: Locator, text: string): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.type(text);
}

export type PhoneRequest = {
  lastName: string;
  firstName: string;
  message: string;
  phone?: string;
  demarche?: string;
  /** Files chosen in the attachments field, before saving. */
  attachments?: { name: string; mimeType: string; buffer: Buffer }[];
  /** Checks on the filled form, just before Ctrl+Entrée. */
  beforeSave?: (page: Page) => Promise<void>;
};

/**
 * Records a "demande générale" with the keyboard only, from anywhere in the app: Alt+N, channel by
 * arrows, démarche by type-ahead, citizen, the démarche's field, Ctrl+Enter. Returns the tracking number.
 */
export async function recordRequest(page: Page, r: PhoneRequest, channelSteps = 0): Promise<string> {
  await page.keyboard.press("Alt+n");
  await expect(page.getByRole("heading", { name: "Nouvelle demande", level: 1 })).toBeVisible();
  for (let i = 0; i < channelSteps; i++) await page.keyboard.press("ArrowRight");
  await tabTo(page, page.getByRole("combobox", { name: /Démarche/ }));
  await page.keyboard.type(r.demarche ?? "demande generale");
  await page.keyboard.press("Enter");
  await tabAndType(page, page.getByLabel(/^Nom/), r.lastName);
  await tabAndType(page, page.getByLabel(/^Prénom/), r.firstName);
  if (r.phone) await tabAndType(page, page.getByRole("textbox", { name: "Téléphone" }), r.phone);
  await tabAndType(page, page.getByLabel(/^Votre demande/), r.message);
  if (r.attachments) {
    await page.locator("#f-attachments").setInputFiles(r.attachments);
    await page.getByLabel(/^Votre demande/).focus();
  }
  await r.beforeSave?.(page);
  await page.keyboard.press("Control+Enter");
  const tracking = page.getByTestId("tracking-number");
  await expect(tracking).toBeVisible();
  return (await tracking.textContent()) ?? "";
}

/** The sync bar's figures, as the agent reads them. */
export function syncBar(page: Page) {
  return { state: page.getByTestId("sync-state"), pending: page.getByTestId("sync-pending") };
}

/** What a citizen sends through the portal's public JSON API. */
export type OnlineSubmission = {
  demarche: string;
  fields: Record<string, unknown>;
  citizen: {
    firstName: string;
    lastName: string;
    email: string;
    address: { line: string; postcode: string; city: string };
  };
};

/** A citizen's online submission through the public JSON API; returns its tracking number. */
export async function submitOnline(submission: OnlineSubmission): Promise<string> {
  const res = await fetch(`${testEnv().apiUrl}/api/v1/requests`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(submission),
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { trackingNumber: string }).trackingNumber;
}
