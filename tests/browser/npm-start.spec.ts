import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { login, pageErrors, tabAndType } from "./support/app";

/**
 * The README's run command as a new user meets it: `npm start` (tsx launcher/npm-start.ts) on an
 * empty data folder. Every printed address answers; the counter app logs in with the printed demo
 * account and records a request that the citizen then finds on the portal's follow-up page; Ctrl+C
 * stops everything, and a second start on the same data keeps the request and prints no password.
 */

/** A new user's shell: no production database or mail server configured. */
function withoutServerSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^(GUICHET_|COUCHDB_|SMTP_)/.test(k)));
}

type Started = { child: ChildProcess; output: () => string };

function npmStart(dataDir: string): Promise<Started> {
  const child = spawn(
    process.execPath,
    [path.resolve("node_modules/tsx/dist/cli.mjs"), "launcher/npm-start.ts"],
    {
      env: {
        ...withoutServerSettings(process.env),
        GUICHET_DATA_DIR: dataDir,
        GUICHET_PORT: "0",
        GUICHET_COUCH_PORT: "0",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  child.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start n'a pas démarré :\n${out}`)), 90_000);
    const poll = setInterval(() => {
      if (out.includes("Ctrl+C pour arrêter.")) {
        clearTimeout(timer);
        clearInterval(poll);
        resolve({ child, output: () => out });
      }
    }, 100);
    child.once("exit", (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      reject(new Error(`npm start s'est arrêté (${code}) :\n${out}`));
    });
  });
}

function stop(s: Started): Promise<number | null> {
  return new Promise((resolve) => {
    s.child.once("exit", (code) => resolve(code));
    s.child.kill("SIGINT");
  });
}

const printed = (out: string, label: string): string => {
  const m = new RegExp(`${label}\\s+(https?://\\S+)`).exec(out);
  if (!m?.[1]) throw new Error(`« ${label} » absent de la sortie :\n${out}`);
  return m[1];
};

test("npm start on a fresh data folder: every printed address answers, the printed account records a request the citizen follows on the portal", async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "guichet-start-"));
  try {
    const first = await npmStart(dataDir);
    const out = first.output();
    const urls = {
      portal: printed(out, "Portail des citoyens"),
      followUp: printed(out, "Suivi d'une demande"),
      app: printed(out, "Application du guichet"),
      api: printed(out, "API JSON"),
      open311: printed(out, "Open311"),
      inbox: printed(out, "Courriels \\(dév\\.\\)"),
      couch: printed(out, "CouchDB"),
    };
    for (const [name, url] of Object.entries(urls)) {
      const res = await fetch(url);
      expect(res.status, `${name} ${url}`).toBe(200);
    }
    const account = /Agent d'accueil\s+identifiant (\S+)\s+mot de passe (\S+)/.exec(out);
    expect(account, out).not.toBeNull();
    // Without the Electron binary it says so in one line and points to the browser.
    expect(out).toMatch(/Application de bureau (lancée|non lancée : .*navigateur)/);

    const context = await browser.newContext({ locale: "fr-FR", timezoneId: "Europe/Paris" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    (page as typeof page & { guichetErrors: string[] }).guichetErrors = errors;
    await page.goto(urls.app);
    await login(page, { username: account![1]!, password: account![2]! });
    const email = "camille.durand@example.org";
    await page.keyboard.press("Alt+n");
    await expect(page.getByRole("heading", { name: "Nouvelle demande", level: 1 })).toBeVisible();
    await tabAndType(page, page.getByRole("combobox", { name: /Démarche/ }), "demande generale");
    await page.keyboard.press("Enter");
    await tabAndType(page, page.getByLabel(/^Nom/), "Durand");
    await tabAndType(page, page.getByLabel(/^Prénom/), "Camille");
    await tabAndType(page, page.getByRole("textbox", { name: "Adresse électronique" }), email);
    await tabAndType(page, page.getByLabel(/^Votre demande/), "Demande de rendez-vous pour un mariage");
    await page.keyboard.press("Control+Enter");
    const shown = page.getByTestId("tracking-number");
    await expect(shown).toBeVisible();
    const tracking = ((await shown.textContent()) ?? "").trim();
    expect(tracking).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await expect(page.getByTestId("sync-pending")).toHaveText("Tout est synchronisé", { timeout: 30_000 });
    expect(pageErrors(page)).toEqual([]);

    // The citizen, on the portal's follow-up page.
    const portal = await context.newPage();
    await portal.goto(urls.followUp);
    await portal.getByLabel("Numéro de suivi").fill(tracking);
    await portal.getByLabel("Adresse électronique").fill(email);
    await portal.getByRole("button", { name: "Voir ma demande" }).click();
    await expect(portal.getByRole("heading", { level: 1 })).toContainText(
      new RegExp(tracking.replace("-", "-?")),
    );
    await expect(portal.locator("main")).toContainText("Demande reçue");
    await context.close();

    expect(await stop(first)).toBe(0);
    expect(first.output()).toContain("Guichet est arrêté.");

    // Same data: the request is still there, and no password is printed again.
    const second = await npmStart(dataDir);
    expect(second.output()).not.toContain("mot de passe");
    const res = await fetch(`${printed(second.output(), "Suivi d'une demande")}`);
    expect(res.status).toBe(200);
    expect(await stop(second)).toBe(0);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
