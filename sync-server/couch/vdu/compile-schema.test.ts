import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { withEvents } from "../../../domain/history";
import { type RequestEvent, requestSchema } from "../../../domain/request";
import { workstationStatusSchema } from "../../../domain/workstation-status";
import { contactLogSchema } from "../contact-log";
import { demarcheDocJsonSchema, type JsonSchema, jsonSchemaOf } from "../validate-doc-update";
import { compileSchemaCheck } from "./compile-schema";
import { fullRequest } from "./full-request.test-support";

// The compiled checkers (what the databases run) against the reference interpreter, in Node.

type Check = (doc: unknown) => string | null;
const es5 = (file: string): string => readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
const helpers = es5("helpers.es5.js");
const interpreter = new Function(`${helpers}\n${es5("schema-check.es5.js")}\nreturn schemaError;`)() as (
  s: JsonSchema,
  v: unknown,
  path: string,
  root: boolean,
) => string | null;
const compiled = (schema: JsonSchema): Check =>
  new Function(`${helpers}\n${compileSchemaCheck(schema, "check")}\nreturn check;`)() as Check;

function sampleRequest(): Record<string, unknown> {
  const { _id, ...stored } = fullRequest({ subject: "Copie intégrale 🙂" });
  const at = "2025-03-11T10:00:00.000+01:00";
  const base = { id: "e1-K7M-t", at, by: "agent1", workstation: "K7M" };
  const events = [
    { ...base, kind: "note", text: "Appelée" },
    {
      ...base,
      id: "e2-K7M-t",
      kind: "status",
      from: "received",
      to: "incomplete",
      missingPieces: ["Livret"],
      piecesDueOn: "2025-04-01",
    },
    { ...base, id: "e3-K7M-t", kind: "assigned", service: "etat_civil", assignee: "ana" },
    { ...base, id: "e4-K7M-t", kind: "ar_sent", via: "email", to: "lea@example.org" },
  ] as RequestEvent[];
  // Numbers and booleans too: the stored schema's fields take any of the three.
  const request = { ...stored, fields: { ...stored.fields, nombre: 2, urgent: true } };
  return { _id: request.id, _rev: "1-a", ...withEvents(request, events) };
}

const SAMPLES: { name: string; schema: JsonSchema; doc: Record<string, unknown> }[] = [
  { name: "request", schema: jsonSchemaOf(requestSchema), doc: sampleRequest() },
  {
    name: "demarche",
    schema: demarcheDocJsonSchema(),
    doc: {
      _id: "demarche:x",
      type: "demarche",
      ...DEFAULT_CATALOGUE.demarches.find((d) => d.fields.length > 2)!,
    },
  },
  {
    name: "contact log",
    schema: jsonSchemaOf(contactLogSchema),
    doc: {
      _id: "l1",
      type: "contact_log",
      at: "2025-03-10T09:00:00Z",
      by: "agent1",
      workstation: "K7M",
      channel: "guichet",
      reason: "Horaires",
    },
  },
  {
    name: "workstation status",
    schema: jsonSchemaOf(workstationStatusSchema),
    doc: {
      _id: "workstation-status:K7M",
      type: "workstation_status",
      code: "K7M",
      name: "Accueil",
      agent: "agent1",
      reportedAt: "2025-03-10T09:00:00Z",
      pendingRequests: 0,
      pendingFiles: 1,
      rejected: 0,
      revoked: { at: "2025-03-10T09:00:00Z", by: "chef" },
    },
  },
];

/** Every path of a JSON value, containers included. */
function pathsOf(v: unknown, at: (string | number)[] = []): (string | number)[][] {
  const here = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) return [...here, ...v.flatMap((x, i) => pathsOf(x, [...at, i]))];
  if (v !== null && typeof v === "object")
    return [...here, ...Object.entries(v).flatMap(([k, x]) => pathsOf(x, [...at, k]))];
  return here;
}

const VALUES: unknown[] = [
  "",
  "x",
  "a\nb",
  "🙂".repeat(41),
  "é".repeat(201),
  "2025-02-29",
  "2024-02-29",
  "2025-03-10T09:00:00Z",
  "2025-03-10T09:00Z",
  "K7M",
  "k7m",
  "agent1",
  "x@y.fr",
  "created",
  "status",
  "note",
  "inconnu",
  "guichet",
  "SVA",
  0,
  -1,
  1.5,
  91,
  10485761,
  true,
  null,
  [],
  ["x"],
  {},
  { kind: "note" },
  { kind: "status", from: "received" },
];

type Mutation = { path: (string | number)[]; op: "set" | "delete" | "add"; value: unknown; key: string };

function mutate(doc: Record<string, unknown>, mutation: Mutation): void {
  const m = { ...mutation, value: structuredClone(mutation.value) };
  if (m.path.length === 0) {
    if (m.op !== "add") throw new Error("only members are added to the document itself");
    doc[m.key] = m.value;
    return;
  }
  let target = doc as Record<string | number, unknown>;
  for (const key of m.path.slice(0, -1)) target = target[key] as Record<string | number, unknown>;
  const last = m.path[m.path.length - 1] as string | number;
  if (m.op === "delete") {
    if (Array.isArray(target)) target.splice(Number(last), 1);
    else delete target[last];
  } else if (m.op === "add") {
    const parent = target[last];
    if (parent !== null && typeof parent === "object" && !Array.isArray(parent)) {
      (parent as Record<string, unknown>)[m.key] = m.value;
    } else target[last] = m.value;
  } else target[last] = m.value;
}

describe("compiled schema checkers", () => {
  for (const { name, schema, doc } of SAMPLES) {
    it(`say exactly what the reference interpreter says on mutated ${name} documents`, () => {
      const check = compiled(schema);
      expect(interpreter(schema, doc, "", true)).toBeNull();
      expect(check(doc)).toBeNull();
      const paths = [[], ...pathsOf(doc)];
      const mutation = fc.record({
        path: fc.constantFrom(...paths),
        op: fc.constantFrom("set", "set", "delete", "add"),
        value: fc.constantFrom(...VALUES),
        key: fc.constantFrom("extra", "_private", "kind", "Bad-Key", "constructor"),
      }) as fc.Arbitrary<Mutation>;
      let refused = 0;
      fc.assert(
        fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
          const copy = structuredClone(doc);
          for (const m of mutations) {
            try {
              mutate(copy, m);
            } catch {
              return; // the path vanished with an earlier mutation
            }
          }
          const expected = interpreter(schema, copy, "", true);
          if (expected !== null) refused++;
          expect(check(copy), JSON.stringify(mutations)).toBe(expected);
        }),
        { numRuns: 1500 },
      );
      // The mutations must reach the refusals, or this test proves little.
      expect(refused).toBeGreaterThan(300);
    });
  }

  it("accept a valid document on the fast pass and leave the exact pass for refusals", () => {
    const schema = jsonSchemaOf(requestSchema);
    const source = compileSchemaCheck(schema, "check");
    let exactRuns = 0;
    // Counts the exact pass's root calls: the one function called with the document and an empty path.
    const counted = new Function(
      "count",
      `${helpers}\n${source.replace(/\(doc, "", undefined\)/, '(count(doc), "", undefined)')}\nreturn check;`,
    )((doc: unknown) => {
      exactRuns++;
      return doc;
    }) as Check;
    const doc = sampleRequest();
    expect(counted(doc)).toBeNull();
    expect(exactRuns).toBe(0);
    expect(counted({ ...doc, subject: "" })).toBe("subject : ne doit pas être vide.");
    expect(exactRuns).toBe(1);
  });
});
