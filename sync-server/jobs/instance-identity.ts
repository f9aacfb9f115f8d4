import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

const activeInstanceIds = new Set<string>();

/**
 * A stable id per installation (DATA_DIR): after a restart the server knows its own mail claims
 * and resumes them at once. Only one running server may use it: a second one on the same
 * DATA_DIR (in this process, or another live process holding the lock) gets an id of its own,
 * and takes over abandoned claims only once their lease expires.
 */
export function instanceIdentity(dataDir: string): { id: string; release(): void } {
  const file = path.join(dataDir, "instance-id");
  const lock = path.join(dataDir, "instance-id.lock");
  mkdirSync(dataDir, { recursive: true });
  if (!existsSync(file)) writeFileSync(file, `srv-${randomBytes(6).toString("hex")}\n`);
  const id = readFileSync(file, "utf8").trim();
  const holder = existsSync(lock) ? Number(readFileSync(lock, "utf8").trim()) : 0;
  const heldElsewhere = holder > 0 && holder !== process.pid && isAlive(holder);
  if (activeInstanceIds.has(id) || heldElsewhere) {
    return { id: `${id}-${randomBytes(4).toString("hex")}`, release: () => undefined };
  }
  activeInstanceIds.add(id);
  writeFileSync(lock, `${process.pid}\n`);
  return {
    id,
    release() {
      activeInstanceIds.delete(id);
      rmSync(lock, { force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
