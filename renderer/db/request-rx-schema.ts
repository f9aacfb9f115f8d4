import type { RxJsonSchema } from "rxdb";
import { z } from "zod";
import { type GuichetRequest, requestSchema } from "../../domain/request";

/**
 * RxDB's schema for the requests collection, derived from the domain's zod schema so the two
 * cannot drift: same properties, same required list. Validation proper is done with zod before
 * every write (repository), so only what RxDB needs for storage and indexes is kept here.
 */
const INDEXED_STRINGS: Record<string, number> = {
  id: 8,
  service: 40,
  dueOn: 10,
  channel: 10,
  status: 12,
  receivedAt: 40,
  updatedAt: 40,
  nameKey: 200,
};

/**
 * Optional fields the domain added after this schema's version 0. They stay out of the storage
 * schema so that its hash, and every workstation's existing database, stay the same (a new RxDB
 * version would migrate every document at the next start); RxDB stores them all the same (no
 * validation plugin) and zod validates them before every write.
 */
const ADDED_AFTER_V0 = new Set(["followUpCode"]);

type JsonProp = { type?: string | string[]; [k: string]: unknown };

function storageProp(name: string, p: JsonProp): JsonProp {
  const out: JsonProp = {
    type: p.type ?? (p.oneOf || p.anyOf ? ["string", "number", "boolean", "object"] : "object"),
  };
  const max = INDEXED_STRINGS[name];
  if (max) out.maxLength = max;
  if (p.type === "array") out.items = { type: "object" };
  return out;
}

function build(): RxJsonSchema<GuichetRequest> {
  const json = z.toJSONSchema(requestSchema, { unrepresentable: "any" }) as {
    properties: Record<string, JsonProp>;
    required: string[];
  };
  const properties: Record<string, JsonProp> = {};
  for (const [name, p] of Object.entries(json.properties))
    if (!ADDED_AFTER_V0.has(name)) properties[name] = storageProp(name, p);
  properties.events = { type: "array", items: { type: "object" } };
  return {
    title: "requests",
    version: 0,
    primaryKey: "id",
    type: "object",
    properties,
    required: json.required,
    // Each list the UI shows has an index whose order is the list's sort (RxDB sorts an unsorted
    // query by primary key, reading every match first).
    indexes: [
      ["open", "service", "dueOn"], // my service's queue, soonest deadline first
      ["open", "dueOn"], // all open requests; close to their implicit-decision date
      ["channel", "status", "receivedAt"], // online requests waiting to be triaged
      ["nameKey", "id"], // search by name (prefix)
      ["updatedAt", "id"],
    ],
  } as unknown as RxJsonSchema<GuichetRequest>;
}

export const requestRxSchema = build();

export type Rejection = { id: string; reason: string; at: string };
export const rejectionRxSchema: RxJsonSchema<Rejection> = {
  title: "rejections",
  version: 0,
  primaryKey: "id",
  type: "object",
  properties: { id: { type: "string", maxLength: 8 }, reason: { type: "string" }, at: { type: "string" } },
  required: ["id", "reason", "at"],
};
