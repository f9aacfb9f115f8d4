import { describe, expect, it } from "vitest";
import { buildCsp } from "./csp";

const directives = (csp: string) =>
  Object.fromEntries(
    csp.split("; ").map((d) => {
      const [name, ...values] = d.split(" ");
      return [name, values];
    }),
  );

describe("buildCsp", () => {
  it("is strict by default", () => {
    const d = directives(buildCsp({ connectOrigins: [] }));
    expect(d["default-src"]).toEqual(["'self'"]);
    expect(d["script-src"]).toEqual(["'self'"]);
    expect(d["style-src"]).toEqual(["'self'"]);
    expect(d["img-src"]).toEqual(["'self'", "data:", "blob:"]);
    expect(d["connect-src"]).toEqual(["'self'"]);
    expect(d["object-src"]).toEqual(["'none'"]);
    expect(d["frame-ancestors"]).toEqual(["'none'"]);
    expect(d["base-uri"]).toEqual(["'none'"]);
    expect(buildCsp({ connectOrigins: [] })).not.toMatch(/unsafe-eval|\*/);
  });

  it("lists the configured servers in connect-src only", () => {
    const csp = buildCsp({
      connectOrigins: ["http://127.0.0.1:3000", "https://couch.mairie.fr:6984", "http://127.0.0.1:3000"],
    });
    expect(directives(csp)["connect-src"]).toEqual([
      "'self'",
      "http://127.0.0.1:3000",
      "https://couch.mairie.fr:6984",
    ]);
    expect(directives(csp)["script-src"]).toEqual(["'self'"]);
  });

  it("allows inline styles only when asked", () => {
    expect(directives(buildCsp({ connectOrigins: [], inlineStyles: true }))["style-src"]).toEqual([
      "'self'",
      "'unsafe-inline'",
    ]);
  });

  it("drops values that could inject directives or widen the policy", () => {
    const csp = buildCsp({
      connectOrigins: [
        "https://a.fr; script-src *",
        "https://a.fr 'unsafe-eval'",
        "*",
        "https:",
        "http://evil.fr",
        "https://b.fr/path",
        "'self' https://c.fr",
      ],
    });
    expect(directives(csp)["connect-src"]).toEqual(["'self'"]);
    expect(csp.split("; ").filter((d) => d.startsWith("script-src"))).toEqual(["script-src 'self'"]);
  });
});
