import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EmbeddedCouch, startEmbeddedCouch } from "./embedded-couch";

// PouchDB Server's validation, with the design documents known by revision (pouch-modules.ts):
// a change of validate_doc_update must still apply to the very next write, single or grouped.
describe("validate_doc_update on the embedded server", () => {
  let couch: EmbeddedCouch;
  let dataDir: string;
  const db = "vdu-cache";
  const call = async (method: string, p: string, body?: unknown) => {
    const res = await fetch(`${couch.url}/${p}`, {
      method,
      headers: {
        "Content-Type": "application/json",
        Authorization: `Basic ${Buffer.from(`${couch.adminUser}:${couch.adminPassword}`).toString("base64")}`,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & unknown[] };
  };
  const refusing = (field: string, how: "forbidden" | "unauthorized" = "forbidden") =>
    `function (doc) { if (doc.${field}) throw { ${how}: "no ${field}" }; }`;
  let rev = "";
  const setRule = async (code: string | null) => {
    const ddoc = {
      _id: "_design/rules",
      ...(rev ? { _rev: rev } : {}),
      ...(code ? { validate_doc_update: code } : {}),
    };
    const res = await call("PUT", `${db}/_design/rules`, ddoc);
    expect(res.status).toBe(201);
    rev = String(res.body.rev);
  };
  let n = 0;
  const put = (doc: object) => call("PUT", `${db}/d${++n}`, doc);

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "guichet-vdu-"));
    couch = await startEmbeddedCouch({ dataDir, port: 0, corsOrigins: [] });
    expect((await call("PUT", db)).status).toBe(201);
  });
  afterAll(async () => {
    await couch.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("applies a changed or removed validate_doc_update to the next write", async () => {
    await setRule(refusing("bad"));
    expect((await put({ bad: true })).status).toBe(403);
    expect((await put({ worse: true })).status).toBe(201);

    await setRule(refusing("worse"));
    expect((await put({ bad: true })).status).toBe(201);
    const refused = await put({ worse: true });
    expect(refused.status).toBe(403);
    expect(refused.body.reason).toBe("no worse");

    await setRule(refusing("worse", "unauthorized"));
    expect((await put({ worse: true })).status).toBe(401);

    await setRule(null);
    expect((await put({ worse: true })).status).toBe(201);
  });

  it("checks each document of a _bulk_docs against the current rules, with the stored old version", async () => {
    await setRule(
      "function (doc, old) { if (doc.bad) throw { forbidden: 'no bad' }; if (old && old.frozen) throw { forbidden: 'frozen' }; }",
    );
    const frozen = await put({ frozen: true });
    expect(frozen.status).toBe(201);
    const res = await call("POST", `${db}/_bulk_docs`, {
      docs: [
        { _id: "ok-1" },
        { _id: "bad-1", bad: true },
        { _id: String(frozen.body.id), _rev: String(frozen.body.rev), frozen: false },
        { _id: "ok-2" },
      ],
    });
    expect(res.status).toBe(201);
    const byId = new Map(
      (res.body as { id: string; error?: string; reason?: string }[]).map((r) => [r.id, r]),
    );
    expect(byId.get("ok-1")?.error).toBeUndefined();
    expect(byId.get("ok-2")?.error).toBeUndefined();
    expect(byId.get("bad-1")).toMatchObject({ error: "forbidden", reason: "no bad" });
    expect(byId.get(String(frozen.body.id))).toMatchObject({ error: "forbidden", reason: "frozen" });
    expect((await call("GET", `${db}/bad-1`)).status).toBe(404);

    await setRule(refusing("nothing"));
    const after = await call("POST", `${db}/_bulk_docs`, { docs: [{ _id: "bad-2", bad: true }] });
    expect((after.body as { error?: string }[])[0]?.error).toBeUndefined();
  });
});
