import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestSchema } from "../../domain/request";
import { type BulkRow, call } from "./support/http";
import { buildRequest } from "./support/requests";
import { startTestCouch, type TestCouch, type TestUser } from "./support/test-couch";

/**
 * Direct writes to the database with a real agent's credentials, bypassing the app: whatever is
 * sent, the server answers without a 5xx and stores nothing its own schema would refuse.
 * HOSTILE_CASES sets the count (10,000 in the long run).
 */
const CASES = Number(process.env.HOSTILE_CASES ?? 1000);
const BATCH = 100;

const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom(
    "\u202Eélaitnedifnoc\u202C", // RTL override
    "e\u0301\u0301\u0301\u0301", // stacked combining marks
    "👩🏽‍⚕️🏳️‍🌈",
    "a\r\nBcc: victime@example.org",
    "\u0000\u0007",
    "<script>alert(1)</script>",
    "x".repeat(6000),
    "\uD800", // lone surrogate
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.letrec((tie) => ({
    deep: fc.oneof({ depthSize: "small" }, fc.constant(1), fc.array(tie("deep"), { maxLength: 2 })),
  })).deep,
);

type Mutation = { path: string[]; value: unknown; remove: boolean };

function mutate(doc: Record<string, unknown>, m: Mutation): Record<string, unknown> {
  const copy = structuredClone(doc);
  let node: Record<string, unknown> = copy;
  for (const key of m.path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null) return copy;
    node = next as Record<string, unknown>;
  }
  const last = m.path[m.path.length - 1]!;
  if (m.remove) delete node[last];
  else node[last] = m.value;
  return copy;
}

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== "object" || value === null) return [prefix];
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

describe("hostile direct writes with an agent's credentials", () => {
  let couch: TestCouch;
  let agent: TestUser;
  beforeAll(async () => {
    couch = await startTestCouch();
    agent = await couch.createUser("hostile", ["agent"]);
  });
  afterAll(async () => {
    await couch?.stop();
  });

  it(`answers ${CASES} malformed documents without a server error and stores none that is invalid`, async () => {
    const base = buildRequest({ commune: couch.commune, by: agent.name });
    const allPaths = [
      ...paths(base).filter((p) => p[0] !== "_id"),
      ["extra"],
      ["citizen", "extra"],
      ["events", "0", "extra"],
    ];
    const mutation = fc.record({
      path: fc.constantFrom(...allPaths),
      value: nasty,
      remove: fc.boolean(),
    });
    const samples = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), {
      numRuns: CASES,
      seed: 42,
    });
    const statuses = new Map<number, number>();
    let stored = 0;
    for (let i = 0; i < samples.length; i += BATCH) {
      const docs = samples.slice(i, i + BATCH).map((ms, j) => {
        const id = `${base.id.slice(0, 3)}${String(i + j).padStart(5, "0")}`;
        let doc: Record<string, unknown> = { ...base, _id: id, id, tracking: id };
        for (const m of ms) doc = mutate(doc, m);
        return doc;
      });
      const reply = await call("POST", `${couch.dbUrl("main")}/_bulk_docs`, agent, { docs });
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      expect(reply.status, JSON.stringify(reply.body).slice(0, 300)).toBeLessThan(500);
      if (Array.isArray(reply.body)) stored += (reply.body as BulkRow[]).filter((r) => r.rev).length;
    }
    // Everything the server kept must be a valid request by the domain's own schema.
    const all = await couch.admin.use(couch.dbName("main")).list({ include_docs: true });
    const docs = all.rows
      .filter((r) => !r.id.startsWith("_design/"))
      .map((r) => r.doc as unknown as Record<string, unknown>);
    expect(docs).toHaveLength(stored);
    const invalid = docs.filter((d) => {
      const { _id, _rev, ...rest } = d;
      return _id !== rest.id || !requestSchema.safeParse(rest).success;
    });
    expect(invalid.map((d) => d._id)).toEqual([]);
    // The generator does produce refusals and acceptances (an honest test, not a vacuous one).
    expect(stored).toBeLessThan(CASES);
    console.log(
      `[hostile] ${CASES} documents, ${stored} acceptés (valides), ${CASES - stored} refusés ; statuts HTTP ${JSON.stringify([...statuses])}`,
    );
  }, 300_000);
});
