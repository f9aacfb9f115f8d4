import { spawn } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { waitFor } from "./support/wait";

/**
 * The supervisor `npm start` runs the server under (sync-server/supervisor.ts), with real
 * processes: a killed or crashed server is started again and the console says so; an unhandled
 * rejection does not stop it; Ctrl+C (SIGINT) still stops everything cleanly.
 */
describe("the server supervisor", () => {
  it("restarts a killed or crashed server, survives unhandled rejections, and stops on SIGINT", async () => {
    const child = spawn(
      process.execPath,
      [path.resolve("node_modules/tsx/dist/cli.mjs"), "tests/integration/support/supervised-server.ts"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const servers = () =>
      [...out.matchAll(/prêt pid=(\d+) port=(\d+)/g)].map((m) => ({ pid: Number(m[1]), port: Number(m[2]) }));
    const nth = (n: number) => waitFor(`server start #${n}\n${out}`, () => servers()[n - 1], 30_000);
    try {
      const first = await nth(1);
      process.kill(first.pid, "SIGKILL");
      const second = await nth(2);
      expect(second.pid).not.toBe(first.pid);
      expect(out).toMatch(
        /Guichet s'est arrêté de façon inattendue \(signal SIGKILL\) : redémarrage dans \d+ s/,
      );

      await fetch(`http://127.0.0.1:${second.port}/reject`).then((r) => r.text());
      expect(await fetch(`http://127.0.0.1:${second.port}/`).then((r) => r.text())).toBe(String(second.pid));
      expect(out).toContain("promesse rejetée sans traitement : rejet oublié");

      await fetch(`http://127.0.0.1:${second.port}/throw`).then((r) => r.text());
      const third = await nth(3);
      expect(out).toMatch(/erreur fatale : exception non rattrapée/);
      expect(out).toMatch(/inattendue \(code 70\)/);
      expect(await fetch(`http://127.0.0.1:${third.port}/`).then((r) => r.text())).toBe(String(third.pid));

      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(out).toContain("arrêt propre");
      expect(servers()).toHaveLength(3);
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 90_000);
});
