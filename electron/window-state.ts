import { promises as nodeFs } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { type AtomicFs, writeFileAtomic } from "./atomic-file";

export type Rect = { x: number; y: number; width: number; height: number };
export type WindowState = { width: number; height: number; x?: number; y?: number; maximized: boolean };

export const WINDOW_STATE_FILE_NAME = "fenetre.json";
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 800, maximized: false };
export const MIN_WIDTH = 800;
export const MIN_HEIGHT = 600;
/** This much of the window must lie on a screen, or it is re-centred (a screen was unplugged). */
const VISIBLE_W = 200;
const VISIBLE_H = 80;

const coord = z.number().int().min(-100_000).max(100_000);
const size = z.number().int().min(1).max(100_000);
const stateSchema = z.object({
  x: coord.optional(),
  y: coord.optional(),
  width: size,
  height: size,
  maximized: z.boolean().default(false),
});

function overlap(a: Rect, b: Rect): { w: number; h: number } {
  return {
    w: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    h: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** The stored state made safe for today's screens: sane size, and on a screen or centred. */
export function fitToDisplays(stored: unknown, workAreas: readonly Rect[]): WindowState {
  const parsed = stateSchema.safeParse(stored);
  const s = parsed.success ? parsed.data : DEFAULT_WINDOW_STATE;
  const maxW = Math.max(MIN_WIDTH, ...workAreas.map((a) => a.width));
  const maxH = Math.max(MIN_HEIGHT, ...workAreas.map((a) => a.height));
  const width = Math.min(Math.max(s.width, MIN_WIDTH), maxW);
  const height = Math.min(Math.max(s.height, MIN_HEIGHT), maxH);
  const out: WindowState = { width, height, maximized: s.maximized };
  if (s.x !== undefined && s.y !== undefined) {
    const rect = { x: s.x, y: s.y, width, height };
    const visible = workAreas.some((a) => {
      const o = overlap(rect, a);
      return o.w >= Math.min(VISIBLE_W, width) && o.h >= Math.min(VISIBLE_H, height);
    });
    if (visible) Object.assign(out, { x: s.x, y: s.y });
  }
  return out;
}

export function createWindowStateStore(opts: {
  dir: string;
  warn: (message: string) => void;
  fs?: AtomicFs & Pick<typeof nodeFs, "readFile">;
}) {
  const fs = opts.fs ?? nodeFs;
  const file = path.join(opts.dir, WINDOW_STATE_FILE_NAME);
  return {
    file,
    /** The raw stored value (fitToDisplays checks it); undefined when absent or unreadable. */
    async load(): Promise<unknown> {
      try {
        return JSON.parse(await fs.readFile(file, "utf8")) as unknown;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
          opts.warn(`Position de la fenêtre illisible (${file}) : taille par défaut.`);
        }
        return undefined;
      }
    },
    async save(state: WindowState): Promise<void> {
      const clean = stateSchema.parse(state);
      await writeFileAtomic(file, `${JSON.stringify(clean)}\n`, fs);
    },
  };
}
