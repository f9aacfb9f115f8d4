import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppProtocolHandler } from "./protocol-handler";

let dir: string;
let root: string;
const logs: string[] = [];
const CSP = "default-src 'self'";
let handler: ReturnType<typeof createAppProtocolHandler>;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "guichet-protocol-"));
  root = path.join(dir, "renderer");
  mkdirSync(path.join(root, "assets"), { recursive: true });
  writeFileSync(path.join(root, "index.html"), "<!doctype html><title>Guichet</title>");
  writeFileSync(path.join(root, "assets", "app.js"), "console.log(1)");
  writeFileSync(path.join(root, "assets", "app.css"), "body{}");
  writeFileSync(path.join(dir, "secret.txt"), "secret");
  symlinkSync(path.join(dir, "secret.txt"), path.join(root, "assets", "lien.txt"));
  handler = createAppProtocolHandler({ root, csp: () => CSP, log: (m) => logs.push(m) });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const get = (url: string, method = "GET") => handler(new Request(url, { method }));

describe("app:// protocol handler", () => {
  it("serves index.html with its type and the CSP", async () => {
    const res = await get("app://guichet/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toBe(CSP);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await res.text()).toContain("<title>Guichet</title>");
  });

  it("serves module scripts and styles with their types", async () => {
    expect((await get("app://guichet/assets/app.js")).headers.get("content-type")).toBe(
      "text/javascript; charset=utf-8",
    );
    expect((await get("app://guichet/assets/app.css")).headers.get("content-type")).toBe(
      "text/css; charset=utf-8",
    );
  });

  it("puts the CSP on errors too", async () => {
    const res = await get("app://guichet/absent.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-security-policy")).toBe(CSP);
  });

  it("refuses traversal, encoded or not", async () => {
    for (const url of ["app://guichet/..%2fsecret.txt", "app://guichet/assets/..%2f..%2fsecret.txt"]) {
      const res = await get(url);
      expect(res.status).toBe(403);
      expect(await res.text()).not.toContain("secret");
    }
    // Plain dot segments are normalised away by URL parsing: still inside the root, so not found.
    expect((await get("app://guichet/../secret.txt")).status).toBe(404);
  });

  it("refuses a symbolic link leading out of the root", async () => {
    const res = await get("app://guichet/assets/lien.txt");
    expect(res.status).toBe(403);
    expect(logs.some((l) => l.includes("lien hors du dossier"))).toBe(true);
  });

  it("answers 404 for a directory and 405 for writes", async () => {
    expect((await get("app://guichet/assets")).status).toBe(404);
    expect((await get("app://guichet/index.html", "POST")).status).toBe(405);
  });

  it("answers HEAD without a body", async () => {
    const res = await get("app://guichet/index.html", "HEAD");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("reads the CSP on every response", async () => {
    let csp = "a";
    const h = createAppProtocolHandler({ root, csp: () => csp });
    expect((await h(new Request("app://guichet/"))).headers.get("content-security-policy")).toBe("a");
    csp = "b";
    expect((await h(new Request("app://guichet/"))).headers.get("content-security-policy")).toBe("b");
  });

  it("answers 404 while the renderer is not built", async () => {
    const h = createAppProtocolHandler({ root: path.join(dir, "absent"), csp: () => CSP });
    expect((await h(new Request("app://guichet/"))).status).toBe(404);
  });
});
