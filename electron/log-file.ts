import { promises as nodeFs } from "node:fs";
import path from "node:path";

export const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Warnings go to stderr and to a small file in the user data folder, where the town hall's IT can
 * find them (a packaged app has no console). Past MAX_LOG_BYTES the file starts again.
 */
export function createLogger(
  file: string,
  fs: Pick<typeof nodeFs, "appendFile" | "stat" | "rename" | "mkdir"> = nodeFs,
) {
  let queue: Promise<void> = fs.mkdir(path.dirname(file), { recursive: true }).then(
    () => undefined,
    () => undefined,
  );
  return (message: string): void => {
    console.warn(message);
    const line = `${new Date().toISOString()} ${message.replace(/\r?\n/g, " ⏎ ")}\n`;
    queue = queue
      .then(async () => {
        const size = await fs.stat(file).then(
          (s) => s.size,
          () => 0,
        );
        if (size > MAX_LOG_BYTES) await fs.rename(file, `${file}.1`);
        await fs.appendFile(file, line, "utf8");
      })
      .catch(() => undefined);
  };
}
