import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import type { AttachmentMeta } from "../../domain/request";
import { replaceControlChars } from "../http/control-chars";

export type AttachmentMime = AttachmentMeta["mime"];

/** A file name that is safe to show and to put in a Content-Disposition header. */
export function cleanFileName(name: string, mime: AttachmentMime): string {
  const base = path.basename(name.replace(/\\/g, "/")).normalize("NFC");
  // Control characters and quotes out (header injection, broken markup), length capped.
  const cleaned = replaceControlChars(base, "").replace(/["\\]/g, "").trim().slice(0, 120);
  const ext = mime === "application/pdf" ? ".pdf" : mime === "image/png" ? ".png" : ".jpg";
  return cleaned || `piece-jointe${ext}`;
}

export type StoredFile = AttachmentMeta;

/**
 * Files are stored once by content (DATA_DIR/attachments/ab/abcdef…), written to a temporary
 * name then renamed, so a crash never leaves half a file under a valid hash. The request keeps
 * the metadata (`attachments`), CouchDB never sees the bytes.
 */
export class AttachmentStore {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error("Empreinte invalide.");
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  async put(data: Buffer, name: string, mime: AttachmentMime): Promise<StoredFile> {
    const sha256 = createHash("sha256").update(data).digest("hex");
    const file = this.pathOf(sha256);
    if (existsSync(file)) {
      // Fresh again: the orphan sweep must not take a file that a new submission is about to use.
      const now = new Date();
      await utimes(file, now, now).catch(() => undefined);
    } else {
      mkdirSync(path.dirname(file), { recursive: true });
      const tmp = `${file}.${randomBytes(6).toString("hex")}.tmp`;
      await writeFile(tmp, data, { mode: 0o600 });
      await rename(tmp, file);
    }
    return { id: sha256, name: cleanFileName(name, mime), mime, size: data.length, sha256 };
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch {
      return null;
    }
  }

  /**
   * The file as request `requestId` holds it: only if that request uploaded it (its reference is
   * noted). A hash alone is no access token: another request declaring the same SHA-256 gets nothing.
   */
  async getFor(sha256: string, requestId: string): Promise<Buffer | null> {
    if (!(await this.refs(sha256)).includes(requestId)) return null;
    return this.get(sha256);
  }

  /** Notes that a request uses the file (one stored file may serve several identical uploads). */
  addRef(sha256: string, requestId: string): Promise<void> {
    return this.serial(sha256, async () => {
      const refs = await this.refs(sha256);
      if (!refs.includes(requestId))
        await writeFile(`${this.pathOf(sha256)}.refs`, [...refs, requestId].join("\n"));
    });
  }

  /** The request no longer needs the file (anonymised): deleted once no request uses it. */
  release(sha256: string, requestId: string): Promise<void> {
    return this.serial(sha256, async () => {
      const refs = (await this.refs(sha256)).filter((r) => r !== requestId);
      if (refs.length > 0) {
        await writeFile(`${this.pathOf(sha256)}.refs`, refs.join("\n"));
        return;
      }
      await rm(this.pathOf(sha256), { force: true });
      await rm(`${this.pathOf(sha256)}.refs`, { force: true });
    });
  }

  /** Files no request uses (a form abandoned after an error), older than `ageMs`, are deleted. */
  async sweepOrphans(ageMs: number): Promise<number> {
    let removed = 0;
    const limit = Date.now() - ageMs;
    for (const sub of await readdir(this.dir).catch(() => [] as string[])) {
      if (!/^[0-9a-f]{2}$/.test(sub)) continue;
      for (const name of await readdir(path.join(this.dir, sub)).catch(() => [] as string[])) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue;
        const file = path.join(this.dir, sub, name);
        const info = await stat(file).catch(() => null);
        if (!info || info.mtimeMs > limit || existsSync(`${file}.refs`)) continue;
        await this.serial(name, async () => {
          if (!existsSync(`${file}.refs`)) await rm(file, { force: true });
        });
        removed += 1;
      }
    }
    return removed;
  }

  private async refs(sha256: string): Promise<string[]> {
    try {
      return (await readFile(`${this.pathOf(sha256)}.refs`, "utf8")).split("\n").filter(Boolean);
    } catch {
      return [];
    }
  }

  private readonly locks = new Map<string, Promise<void>>();

  // Reference lists are read-modify-write: one change at a time per file.
  private serial(key: string, task: () => Promise<void>): Promise<void> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev.then(task, task);
    this.locks.set(key, next);
    return next.finally(() => {
      if (this.locks.get(key) === next) this.locks.delete(key);
    });
  }
}
