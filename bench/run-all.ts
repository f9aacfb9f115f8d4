/**
 * `npm run bench`: runs every benchmark one after the other (never in parallel: 2 cores), then
 * gathers their tables from docs/bench/*.md into docs/BENCHMARKS.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { machineLine } from "./machine";

const BENCHES = ["sync", "vdu", "link", "portal", "ui", "hostile", "chaos", "dashboard", "mail", "cluster"];
// Benchmarks whose script is not named after them.
const FILES: Record<string, string> = { chaos: "chaos-long", mail: "mail-intake" };
const only = process.argv.slice(2);
const failed: string[] = [];
for (const name of only.length > 0 ? only : BENCHES) {
  const file = path.resolve(`bench/${FILES[name] ?? name}.ts`);
  if (!existsSync(file)) continue;
  console.log(`\n=== bench ${name} ===`);
  const r = spawnSync(process.execPath, ["--import", "tsx", file], { stdio: "inherit" });
  if (r.status !== 0) failed.push(name);
}

const dir = path.resolve("docs/bench");
const sections = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".md"))
      .sort()
      .map((f) => readFileSync(path.join(dir, f), "utf8").trim())
  : [];
writeFileSync(
  path.resolve("docs/BENCHMARKS.md"),
  [
    "# Mesures de performance",
    "",
    `Rassemblées par \`npm run bench\` le ${machineLine()}.`,
    "Chaque chiffre est donné à côté de son pair et de son plancher physique mesurés dans le même tour : ces machines sont bruyantes, ce sont les rapports qui comptent.",
    "",
    ...sections.flatMap((s) => [s, ""]),
  ].join("\n"),
);
if (failed.length > 0) {
  console.error(`benchmarks en échec : ${failed.join(", ")}`);
  process.exit(1);
}
