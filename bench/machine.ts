import { readFileSync } from "node:fs";
import os from "node:os";

/** One line saying where a benchmark ran: these machines are noisy, the context matters. */
export function machineLine(extra = ""): string {
  let cpu = os.cpus()[0]?.model ?? "?";
  try {
    const m = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m?.[1]) cpu = m[1].trim();
  } catch {}
  const mem = Math.round(os.totalmem() / 2 ** 30);
  return `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC — ${cpu}, ${os.cpus().length} cœurs, ${mem} Gio, Node ${process.version}${extra ? `, ${extra}` : ""}`;
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : (s[Math.floor((s.length - 1) / 2)]! + s[Math.ceil((s.length - 1) / 2)]!) / 2;
};

export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? Number.NaN;
};
