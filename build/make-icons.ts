import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

/**
 * Draws the application icon (a « bleu France » rounded square with a white G) at every size
 * electron-builder wants, with Node built-ins only: PNGs for Linux, an .ico (PNG entries) for
 * Windows. Run: npx tsx build/make-icons.ts
 */
const SIZES = [512, 256, 128, 64, 32, 16] as const;
const ICO_SIZES = [256, 128, 64, 48, 32, 16] as const;
const BLUE = [0x00, 0x00, 0x91] as const;
const WHITE = [0xff, 0xff, 0xff] as const;
const SUPERSAMPLE = 4;

/** What covers the point (u, v) of the unit square (v downwards): nothing, the square or the G. */
function shapeAt(u: number, v: number): "none" | "square" | "letter" {
  const r = 0.19;
  const cx = Math.min(Math.max(u, r), 1 - r);
  const cy = Math.min(Math.max(v, r), 1 - r);
  if ((u - cx) ** 2 + (v - cy) ** 2 > r * r) return "none";
  const dx = u - 0.5;
  const dy = 0.5 - v;
  const dist = Math.hypot(dx, dy);
  const angle = (Math.atan2(dy, dx) * 180) / Math.PI;
  const onRing = dist >= 0.2 && dist <= 0.33 && !(angle > -8 && angle < 48);
  const onBar = u >= 0.5 && u <= 0.83 && v >= 0.47 && v <= 0.59 && dist <= 0.33;
  return onRing || onBar ? "letter" : "square";
}

function drawRgba(size: number): Buffer {
  const px = Buffer.alloc(size * size * 4);
  const n = SUPERSAMPLE * SUPERSAMPLE;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let square = 0;
      let letter = 0;
      for (let sy = 0; sy < SUPERSAMPLE; sy++) {
        for (let sx = 0; sx < SUPERSAMPLE; sx++) {
          const s = shapeAt((x + (sx + 0.5) / SUPERSAMPLE) / size, (y + (sy + 0.5) / SUPERSAMPLE) / size);
          if (s === "square") square++;
          else if (s === "letter") letter++;
        }
      }
      const covered = square + letter;
      const i = (y * size + x) * 4;
      if (covered === 0) continue;
      // Colour averaged over the covered samples; coverage gives the alpha (smooth edges).
      for (let c = 0; c < 3; c++) {
        px[i + c] = Math.round(((BLUE[c] ?? 0) * square + (WHITE[c] ?? 0) * letter) / covered);
      }
      px[i + 3] = Math.round((255 * covered) / n);
    }
  }
  return px;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function encodePng(size: number, rgba: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bits per channel
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** An .ico whose entries are PNGs (Windows Vista and later read them). */
export function encodeIco(images: { size: number; png: Buffer }[]): Buffer {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  let offset = 6 + 16 * images.length;
  const entries = images.map(({ size, png }) => {
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size; // 0 means 256
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // colour planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    return e;
  });
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

const outDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "icons");
mkdirSync(outDir, { recursive: true });
const pngs = new Map<number, Buffer>();
for (const size of new Set([...SIZES, ...ICO_SIZES])) pngs.set(size, encodePng(size, drawRgba(size)));
for (const size of SIZES) writeFileSync(path.join(outDir, `${size}x${size}.png`), pngs.get(size)!);
writeFileSync(path.join(outDir, "icon.png"), pngs.get(512)!);
writeFileSync(
  path.join(outDir, "icon.ico"),
  encodeIco(ICO_SIZES.map((size) => ({ size, png: pngs.get(size)! }))),
);
console.log(
  `Icônes écrites dans ${path.relative(process.cwd(), outDir)} : ${SIZES.join(", ")} px, icon.png, icon.ico.`,
);
