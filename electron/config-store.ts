import { promises as nodeFs } from "node:fs";
import path from "node:path";
import { type AtomicFs, writeFileAtomic } from "./atomic-file";
import type { WorkstationConfig } from "./guichet-api";
import {
  type ConfigParse,
  DEFAULT_CONFIG,
  parseWorkstationConfig,
  salvageWorkstationConfig,
} from "./workstation-config";

export const CONFIG_FILE_NAME = "poste.json";
const MAX_FILE_BYTES = 64 * 1024;

export type ConfigStoreFs = AtomicFs & Pick<typeof nodeFs, "readFile">;

export type ConfigStore = {
  readonly file: string;
  /** Reads the file; never throws: a missing or corrupt file gives the defaults (and a warning). */
  load(): Promise<WorkstationConfig>;
  /** The last loaded or saved configuration. */
  current(): WorkstationConfig;
  /** Validates, then writes atomically. */
  save(config: unknown): Promise<ConfigParse>;
};

const copy = (c: WorkstationConfig): WorkstationConfig => ({ ...c, couchOrigins: [...c.couchOrigins] });

export function createConfigStore(opts: {
  dir: string;
  warn: (message: string) => void;
  fs?: ConfigStoreFs;
}): ConfigStore {
  const fs = opts.fs ?? nodeFs;
  const file = path.join(opts.dir, CONFIG_FILE_NAME);
  let current = copy(DEFAULT_CONFIG);

  const setAside = async () => {
    // Keep the unreadable file for whoever investigates; the next save writes a fresh one.
    await fs.rename(file, `${file}.illisible`).catch(() => undefined);
  };

  return {
    file,
    current: () => copy(current),
    async load() {
      let text: string;
      try {
        const bytes = await fs.readFile(file);
        if (bytes.byteLength > MAX_FILE_BYTES)
          throw new Error(`fichier trop gros (${bytes.byteLength} octets)`);
        text = bytes.toString("utf8");
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
          opts.warn(
            `Configuration du poste illisible (${file}) : ${(e as Error).message}. Valeurs par défaut utilisées.`,
          );
          await setAside();
        }
        current = copy(DEFAULT_CONFIG);
        return copy(current);
      }
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        opts.warn(
          `Configuration du poste illisible (${file}) : JSON invalide. Valeurs par défaut utilisées ; ` +
            `l'ancien fichier est gardé sous ${path.basename(file)}.illisible.`,
        );
        await setAside();
        current = copy(DEFAULT_CONFIG);
        return copy(current);
      }
      const { config, invalid } = salvageWorkstationConfig(raw);
      if (invalid.length > 0) {
        opts.warn(
          `Configuration du poste (${file}) : valeur invalide pour ${invalid.join(", ")} ; valeur par défaut utilisée.`,
        );
      }
      current = config;
      return copy(current);
    },
    async save(input) {
      const parsed = parseWorkstationConfig(input);
      if (!parsed.ok) return parsed;
      await writeFileAtomic(file, `${JSON.stringify(parsed.config, null, 2)}\n`, fs);
      current = copy(parsed.config);
      return { ok: true, config: copy(parsed.config) };
    },
  };
}
