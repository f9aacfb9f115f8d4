import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger, MAX_LOG_BYTES } from "./log-file";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "guichet-log-"));
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  vi.restoreAllMocks();
});

const settle = () => new Promise((r) => setTimeout(r, 50));

describe("createLogger", () => {
  it("appends one line per message, in a folder it creates", async () => {
    const file = path.join(dir, "sous-dossier", "journal.log");
    const log = createLogger(file);
    log("première");
    log("deux\nlignes");
    await settle();
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT.* deux ⏎ lignes$/);
  });

  it("starts a new file past the limit", async () => {
    const file = path.join(dir, "journal.log");
    writeFileSync(file, "x".repeat(MAX_LOG_BYTES + 1));
    createLogger(file)("nouveau");
    await settle();
    expect(existsSync(`${file}.1`)).toBe(true);
    expect(readFileSync(file, "utf8")).toMatch(/nouveau\n$/);
  });
});
