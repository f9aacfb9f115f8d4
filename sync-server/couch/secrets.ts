import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/** Passwords the server generated itself (embedded admin, service accounts), kept in DATA_DIR. */
export type Secrets = Partial<Record<string, string>>;

export const secretsPath = (dataDir: string): string => path.join(dataDir, "secrets.json");

export function readSecrets(dataDir: string): Secrets {
  const file = secretsPath(dataDir);
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("pas un objet");
    const out: Secrets = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === "string") out[k] = v;
    return out;
  } catch (e) {
    throw new Error(`Fichier de secrets illisible (${file}) : ${(e as Error).message}`);
  }
}

/** Merges `values` into secrets.json, readable by its owner only (0600), written atomically. */
export function writeSecrets(dataDir: string, values: Secrets): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = secretsPath(dataDir);
  const next = { ...readSecrets(dataDir), ...values };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export const randomPassword = (): string => randomBytes(24).toString("base64url");

/** Removes the keys `drop` picks (e.g. a deleted commune's passwords) from secrets.json. */
export function removeSecrets(dataDir: string, drop: (key: string) => boolean): string[] {
  const current = readSecrets(dataDir);
  const dropped = Object.keys(current).filter(drop);
  if (dropped.length === 0) return [];
  const file = secretsPath(dataDir);
  const next = Object.fromEntries(Object.entries(current).filter(([k]) => !dropped.includes(k)));
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return dropped;
}
