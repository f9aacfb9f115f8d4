import { randomBytes } from "node:crypto";
import { promises as nodeFs } from "node:fs";
import path from "node:path";

export type AtomicFs = Pick<typeof nodeFs, "open" | "rename" | "rm" | "mkdir">;

/**
 * Writes through a temporary file in the same folder, flushed, then renamed over the target: a
 * crash or a power cut leaves the old file or the new one, never half of one.
 */
export async function writeFileAtomic(file: string, data: string, fs: AtomicFs = nodeFs): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    const handle = await fs.open(tmp, "w", 0o600);
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
