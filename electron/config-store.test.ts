import { promises as fs, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CONFIG_FILE_NAME, createConfigStore } from "./config-store";
import { DEFAULT_CONFIG } from "./workstation-config";

let dir: string;
let warnings: string[];
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "guichet-config-"));
  warnings = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const store = (fsImpl?: Parameters<typeof createConfigStore>[0]["fs"]) =>
  createConfigStore({ dir, warn: (m) => warnings.push(m), ...(fsImpl ? { fs: fsImpl } : {}) });
const file = () => path.join(dir, CONFIG_FILE_NAME);
const config = {
  serverUrl: "https://guichet.mairie.fr",
  workstationName: "Accueil 1",
  communeId: "demo",
  couchOrigins: ["https://couch.mairie.fr"],
};

describe("config store", () => {
  it("starts from the defaults without a file, silently", async () => {
    expect(await store().load()).toEqual(DEFAULT_CONFIG);
    expect(warnings).toEqual([]);
  });

  it("saves and reads back", async () => {
    const s = store();
    expect(await s.save(config)).toEqual({ ok: true, config });
    expect(s.current()).toEqual(config);
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(config);
    expect(await store().load()).toEqual(config);
  });

  it("refuses an invalid configuration and keeps the file", async () => {
    const s = store();
    await s.save(config);
    const r = await s.save({ ...config, serverUrl: "http://evil.fr" });
    expect(r.ok).toBe(false);
    expect(s.current()).toEqual(config);
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(config);
  });

  it("gives the defaults and a warning for a corrupt file, and sets it aside", async () => {
    writeFileSync(file(), "{ pas du json");
    expect(await store().load()).toEqual(DEFAULT_CONFIG);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/illisible.*JSON invalide/);
    expect(readFileSync(`${file()}.illisible`, "utf8")).toBe("{ pas du json");
  });

  it("keeps the valid fields of a half-valid file", async () => {
    writeFileSync(file(), JSON.stringify({ ...config, serverUrl: "ftp://x" }));
    expect(await store().load()).toEqual({ ...config, serverUrl: "" });
    expect(warnings[0]).toMatch(/serverUrl/);
  });

  it("treats an oversized file as corrupt", async () => {
    writeFileSync(file(), JSON.stringify({ ...config, pad: "x".repeat(100_000) }));
    expect(await store().load()).toEqual(DEFAULT_CONFIG);
    expect(warnings[0]).toMatch(/trop gros/);
  });

  it("hands out copies", async () => {
    const s = store();
    await s.save(config);
    s.current().couchOrigins.push("https://evil.fr");
    expect(s.current()).toEqual(config);
  });

  it("writes atomically: a failed rename leaves the old file and no temporary file", async () => {
    await store().save(config);
    const failing = { ...fs, rename: async () => Promise.reject(new Error("disque plein")) };
    await expect(store(failing).save({ ...config, workstationName: "Accueil 2" })).rejects.toThrow(
      "disque plein",
    );
    expect(JSON.parse(readFileSync(file(), "utf8"))).toEqual(config);
    expect(readdirSync(dir)).toEqual([CONFIG_FILE_NAME]);
  });
});
