import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveAppPath } from "./protocol-resolver";

const root = path.resolve("/srv/guichet/dist/renderer");

describe("resolveAppPath", () => {
  it.each([
    ["app://guichet/", "index.html"],
    ["app://guichet", "index.html"],
    ["app://guichet/index.html", "index.html"],
    ["app://guichet/index.html?x=1#/demandes", "index.html"],
    ["app://guichet/assets/index-E9sL_IIf.js", "assets/index-E9sL_IIf.js"],
    ["app://guichet/assets/", "assets/index.html"],
    ["app://guichet/assets//logo.svg", "assets/logo.svg"],
    ["app://guichet/accus%C3%A9.png", "accusé.png"],
    // Dot segments are removed by URL parsing itself: they stay inside the root.
    ["app://guichet/assets/../index.html", "index.html"],
    ["app://guichet/../../../etc/passwd", "etc/passwd"],
    ["app://guichet/%2e%2e/%2e%2e/etc/passwd", "etc/passwd"],
  ])("%s → %s", (url, rel) => {
    expect(resolveAppPath(root, url)).toEqual({ ok: true, filePath: path.join(root, rel) });
  });

  it.each([
    ["app://guichet/..%2f..%2fetc%2fpasswd", 403],
    ["app://guichet/..%2F..%2Fetc/passwd", 403],
    ["app://guichet/assets%2f..%2f..%2fsecret", 403],
    ["app://guichet/..%5c..%5cwindows%5cwin.ini", 403],
    ["app://guichet/%2e%2e%2f%2e%2e%2fetc/passwd", 403],
    ["app://guichet/C:%5cWindows%5cwin.ini", 403],
    ["app://guichet/C:/Windows/win.ini", 403],
    ["app://guichet/index.html:secret", 403],
    ["app://guichet/index.html%00.png", 403],
    ["app://guichet/.env", 403],
    ["app://guichet/assets/.git/config", 403],
    ["app://guichet/%E0%A4%A", 400],
    [`app://guichet/${"a/".repeat(600)}`, 400],
    ["app://other/index.html", 404],
    ["app://user:pw@guichet/index.html", 404],
    ["file:///etc/passwd", 404],
    ["https://guichet/index.html", 404],
    ["pas une adresse", 400],
  ])("refuses %s (%i)", (url, status) => {
    expect(resolveAppPath(root, url)).toMatchObject({ ok: false, status });
  });

  it("never resolves outside the root, whatever the input", () => {
    const hostile = [
      "%2e%2e",
      "..%2f",
      "%252e%252e",
      "....//",
      "..;/",
      "%c0%ae%c0%ae",
      "..%00",
      "~",
      "%5c..",
    ];
    for (const a of hostile) {
      for (const b of hostile) {
        const r = resolveAppPath(root, `app://guichet/${a}/${b}/x`);
        if (r.ok) expect(path.relative(root, r.filePath).startsWith("..")).toBe(false);
      }
    }
  });
});
