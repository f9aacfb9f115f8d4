import type { Page } from "playwright-core";

type ProfileNode = {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
};
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };

/**
 * Chromium's CPU profiler around one step of a bench page (BENCH_PROFILE=1): where the page's
 * main thread spends its time, by function (self time), to find what to make faster.
 */
export async function profiled<T>(page: Page, step: () => Promise<T>): Promise<{ value: T; top: string[] }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
  await cdp.send("Profiler.start");
  const value = await step();
  const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
  await cdp.detach();
  return { value, top: selfTimes(profile, 30) };
}

function selfTimes(p: Profile, n: number): string[] {
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const ms = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const f = byId.get(id)!.callFrame;
    const file = f.url.split("/").pop() ?? "";
    const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    const dt = (p.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    ms.set(key, (ms.get(key) ?? 0) + dt);
  });
  return [
    `total sampled ${total.toFixed(0)} ms`,
    ...[...ms.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, v]) => `${v.toFixed(0).padStart(6)} ms ${((100 * v) / total).toFixed(1).padStart(5)} %  ${k}`,
      ),
  ];
}
