import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Role } from "../../domain/roles";
import type { Couch } from "../../sync-server/couch/couch";
import { addUser } from "../../sync-server/couch/users";
import { median, percentile } from "../machine";

/** What the browser benches share: the bench build, Chromium, a logged-in page, paired timings. */
const root = path.resolve(import.meta.dirname, "../..");

/** The bench copy of the app (vite --mode bench: the only build with its in-page hooks). */
export const BENCH_APP_DIR = path.join(root, "dist/renderer-bench");

export function buildBenchApp(tag: string): void {
  console.log(`[${tag}] build (mode bench) → ${path.relative(root, BENCH_APP_DIR)}`);
  execFileSync(
    path.join(root, "node_modules/.bin/vite"),
    ["build", "--mode", "bench", "--logLevel", "warn"],
    {
      cwd: root,
      stdio: "inherit",
    },
  );
}

/** Debian's Chromium (CHROMIUM_PATH to change it), quiet: no background traffic to skew timings. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A counter account made for this run, with a password nobody else knows. */
export async function benchAccount(
  couch: Couch,
  commune: string,
  name: string,
  roles: Role[],
  services?: string[],
): Promise<{ username: string; password: string }> {
  const user = { username: `${name}.${commune}`, password: randomBytes(12).toString("base64url") };
  await addUser(couch, {
    name: user.username,
    password: user.password,
    roles,
    ...(services ? { services } : {}),
    commune,
  });
  return user;
}

/** A French, Paris-time page of the app at a desktop size, page errors echoed. */
export async function openAppPage(browser: Browser, appUrl: string) {
  const context = await browser.newContext({
    locale: "fr-FR",
    timezoneId: "Europe/Paris",
    viewport: { width: 1400, height: 900 },
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => console.error(`[page] ${e.message}`));
  await page.goto(appUrl);
  return { context, page };
}

export async function login(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.getByLabel("Identifiant").fill(user.username);
  await page.getByLabel("Mot de passe").fill(user.password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.getByRole("navigation", { name: "Navigation principale" }).waitFor();
}

/** Calls a function of an in-page hook (window[global][name]) and returns its result. */
export function callHook<T>(page: Page, global: string, name: string, ...args: unknown[]): Promise<T> {
  return page.evaluate(
    async ([g, n, a]) => {
      const h = (window as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>)[g]!;
      return h[n]!(...(a as unknown[]));
    },
    [global, name, args] as const,
  ) as Promise<T>;
}

/**
 * A measure and its floor, run in turns (floor, measure, floor, measure…): on a shared machine a
 * burst of load hits both, so the pair stays comparable.
 */
export async function pairedRuns(
  label: string,
  runs: number,
  floor: (i: number) => Promise<number>,
  measure: (i: number) => Promise<number>,
): Promise<{ xs: number[]; fs: number[] }> {
  const xs: number[] = [];
  const fs: number[] = [];
  for (let i = 0; i < runs; i++) {
    fs.push(await floor(i));
    xs.push(await measure(i));
  }
  console.log(
    `${label}: p50 ${median(xs).toFixed(1)} / p95 ${percentile(xs, 95).toFixed(1)} ms (plancher ${median(fs).toFixed(1)} / ${percentile(fs, 95).toFixed(1)})`,
  );
  return { xs, fs };
}
