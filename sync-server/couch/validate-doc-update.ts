import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { demarcheSchema } from "../../domain/catalogue";
import type { AgentCard } from "../../domain/commune";
import { requestSchema } from "../../domain/request";
import { ROLES } from "../../domain/roles";
import { ASSIGN_ROLES, OPEN_STATUSES, STATUS_LABELS, TRANSITIONS } from "../../domain/workflow";
import { workstationStatusSchema } from "../../domain/workstation-status";
import { contactLogSchema } from "./contact-log";
import { couchRole, serviceRole } from "./couch-roles";
import { compileSchemaCheck } from "./vdu/compile-schema";

/**
 * validate_doc_update functions, generated from the domain: the zod schemas as JSON Schema compiled
 * into ES5 checkers (./vdu/compile-schema.ts), the TRANSITIONS table and the role names as JSON,
 * next to the rules (./vdu/*-rules.es5.js). ES5 because the same source runs in CouchDB (QuickJS
 * here, SpiderMonkey elsewhere) and in PouchDB Server (eval in Node).
 */

export type JsonSchema = { [key: string]: unknown };

/** Where a request database's function runs: the main database (service null) or a sensitive one. */
export type RequestDatabaseTarget = {
  commune: string;
  /** The sensitive service of this database, or null for the main database. */
  service: string | null;
  /** All sensitive services of the commune (refused in the main database). */
  sensitiveServices: readonly string[];
  /** The agent directory: an assignment must name an active agent of the chosen service. */
  agents?: readonly AgentCard[] | undefined;
};

/** Active agents and their services; null while the directory is empty (no check: a fresh commune). */
export function assignableAgents(agents: readonly AgentCard[] | undefined): Record<string, string[]> | null {
  const active = (agents ?? []).filter((a) => !a.disabled);
  if (active.length === 0) return null;
  return Object.fromEntries(active.map((a) => [a.username, [...a.services]]));
}

/** Keywords compile-schema.ts (and its reference, schema-check.es5.js) implement. `format` is only an annotation next to a `pattern`. */
const SUPPORTED = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
  "enum",
  "const",
  "oneOf",
  "anyOf",
  "minimum",
  "maximum",
  "propertyNames",
  "format",
]);
const TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

/** Fields computed from the events (request.ts projectionShape): checked against them, not frozen. */
const PROJECTION_FIELDS = [
  "status",
  "service",
  "assignee",
  "open",
  "dueOn",
  "outcome",
  "implicitDecision",
  "arSent",
  "updatedAt",
  "nameKey",
];
/** What retention.ts `anonymise` may remove or replace; everything else of the creation stays. */
export const PERSONAL_FIELDS = [
  "subject",
  "fields",
  "citizen",
  "filedBy",
  "location",
  "attachments",
  "followUpCode",
];

/** Throws when the schema uses anything the ES5 checkers would silently ignore. */
export function assertSupportedSchema(schema: unknown, at = "(racine)"): void {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new Error(`Schéma inattendu à ${at} : objet JSON Schema attendu.`);
  }
  const s = schema as JsonSchema;
  // What z.toJSONSchema writes for a type it cannot represent ("unrepresentable: any").
  if (Object.keys(s).length === 0) throw new Error(`Schéma vide à ${at} : tout y serait accepté.`);
  for (const key of Object.keys(s)) {
    if (key === "$schema" && at === "(racine)") continue;
    if (!SUPPORTED.has(key)) {
      throw new Error(`Mot-clé JSON Schema « ${key} » (à ${at}) non pris en charge par validate_doc_update.`);
    }
  }
  if (s.type !== undefined && !(typeof s.type === "string" && TYPES.has(s.type))) {
    throw new Error(`Type JSON Schema ${JSON.stringify(s.type)} (à ${at}) non pris en charge.`);
  }
  if (s.format !== undefined && typeof s.pattern !== "string") {
    throw new Error(`« format » sans « pattern » (à ${at}) : le format ne serait pas vérifié.`);
  }
  if (typeof s.pattern === "string") checkPattern(s.pattern, at);
  if (s.properties !== undefined) {
    for (const [k, v] of Object.entries(s.properties as JsonSchema)) assertSupportedSchema(v, `${at}.${k}`);
  }
  for (const key of ["items", "propertyNames"])
    if (s[key] !== undefined) assertSupportedSchema(s[key], `${at}.${key}`);
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (s.additionalProperties === true)
      throw new Error(`additionalProperties: true (à ${at}) : objet non vérifié.`);
    assertSupportedSchema(s.additionalProperties, `${at}.additionalProperties`);
  }
  for (const key of ["oneOf", "anyOf"]) {
    const branches = s[key];
    if (branches === undefined) continue;
    if (!Array.isArray(branches) || branches.length === 0) throw new Error(`${key} vide (à ${at}).`);
    branches.forEach((b, i) => {
      assertSupportedSchema(b, `${at}.${key}[${i}]`);
    });
  }
  // An object without a closed list of members would let anything in.
  if (s.type === "object" && s.additionalProperties === undefined) {
    throw new Error(`Objet ouvert (à ${at}) : additionalProperties manque.`);
  }
}

// Flags are lost in JSON Schema, and ES5 engines know no `u` flag syntax.
function checkPattern(pattern: string, at: string): void {
  if (/\\[pPk]\{|\\u\{|\(\?<[=!]?[a-zA-Z]/.test(pattern)) {
    throw new Error(`Expression régulière (à ${at}) hors du sous-ensemble ES5 : ${pattern}`);
  }
  new RegExp(pattern); // throws on a syntax error
}

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, { unrepresentable: "any" }) as JsonSchema;
  assertSupportedSchema(json);
  return json;
}

/** The commune's CouchDB role names: a role of another commune counts for nothing here. */
const couchRoleNames = (commune: string): Record<string, string> =>
  Object.fromEntries(ROLES.map((r) => [r, couchRole(commune, r)]));

const source = (file: string): string => readFileSync(new URL(`./vdu/${file}`, import.meta.url), "utf8");

/** A schema to compile into `function <name>(doc)`, which returns null or the first error. */
type SchemaCheck = { name: string; schema: JsonSchema };

/**
 * One self-contained function expression: CONFIG, the helpers, the compiled schema checkers and
 * the rules, built once per design document, then the call. CouchDB runs the function with the
 * design document as `this` and keeps that object (couchjs caches the compiled function on it,
 * PouchDB Server's validation in pouch-modules.ts too): the built checker is kept there, under a
 * key naming this exact source, so CONFIG, the functions and their regular expressions are not
 * made again for every document written (bench:vdu). Called on anything but a design document,
 * it builds them for that call only.
 */
function compose(config: unknown, checks: SchemaCheck[], rulesFile: string, entry: string): string {
  const rules = [
    `var CONFIG = ${JSON.stringify(config)};`,
    source("helpers.es5.js"),
    ...checks.map((c) => compileSchemaCheck(c.schema, c.name)),
    source(rulesFile),
  ].join("\n");
  const key = `__guichet_vdu_${createHash("sha256").update(`${entry}\n${rules}`).digest("hex").slice(0, 16)}`;
  const body = [
    "function (newDoc, oldDoc, userCtx, secObj) {",
    "var ddoc = this;",
    'var keep = ddoc !== null && typeof ddoc === "object" && String(ddoc._id).indexOf("_design/") === 0;',
    `var check = keep && Object.prototype.hasOwnProperty.call(ddoc, "${key}") ? ddoc["${key}"] : null;`,
    "if (check === null) {",
    "check = (function () {",
    rules,
    `return function (n, o, u, sec) { return ${entry}(n, o, u, CONFIG, sec); };`,
    "})();",
    `if (keep && Object.isExtensible(ddoc)) Object.defineProperty(ddoc, "${key}", { value: check });`,
    "}",
    "return check(newDoc, oldDoc, userCtx, secObj);",
    "}",
  ].join("\n");
  // ASCII only: no engine or transport can then misread an accent, U+2028 or U+2029.
  return body.replace(/[^\x20-\x7e\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function requestValidateDocUpdate(target: RequestDatabaseTarget): string {
  const config = {
    commune: target.commune,
    service: target.service,
    sensitiveServices: target.sensitiveServices,
    transitions: TRANSITIONS,
    assignRoles: ASSIGN_ROLES,
    servicePrefix: serviceRole(target.commune, ""),
    statusLabels: STATUS_LABELS,
    openStatuses: OPEN_STATUSES,
    roles: couchRoleNames(target.commune),
    projectionFields: PROJECTION_FIELDS,
    personalFields: PERSONAL_FIELDS,
    agents: assignableAgents(target.agents),
  };
  const checks = [{ name: "checkRequestDoc", schema: jsonSchemaOf(requestSchema) }];
  return compose(config, checks, "request-rules.es5.js", "validateRequest");
}

/** Document types of a -config database (config-docs.ts). */
export const CONFIG_TYPES = [
  "commune",
  "service",
  "demarche",
  "demarche_version",
  "agents",
  "config_version",
  "notice_templates",
];

/**
 * A stored démarche (current or archived) as JSON Schema. zod's output schema marks defaulted members
 * required and adds `default` (an annotation: dropped) and `exclusiveMinimum` for positive integers.
 */
export function demarcheDocJsonSchema(): JsonSchema {
  const doc = demarcheSchema.extend({ type: z.enum(["demarche", "demarche_version"]) }).strict();
  const clean = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(clean);
    if (typeof node !== "object" || node === null) return node;
    const out: JsonSchema = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === "default") continue;
      if (k === "exclusiveMinimum" && (node as JsonSchema).type === "integer" && typeof v === "number") {
        out.minimum = v + 1;
        continue;
      }
      out[k] = clean(v);
    }
    return out;
  };
  const json = clean(z.toJSONSchema(doc, { unrepresentable: "any" })) as JsonSchema;
  assertSupportedSchema(json);
  return json;
}

export function configValidateDocUpdate(commune: string): string {
  const config = {
    roles: couchRoleNames(commune),
    types: CONFIG_TYPES,
  };
  const checks = [{ name: "checkDemarcheDoc", schema: demarcheDocJsonSchema() }];
  return compose(config, checks, "config-rules.es5.js", "validateConfig");
}

export function logValidateDocUpdate(commune: string): string {
  const config = { roles: couchRoleNames(commune) };
  const checks = [
    { name: "checkContactLogDoc", schema: jsonSchemaOf(contactLogSchema) },
    { name: "checkWorkstationStatusDoc", schema: jsonSchemaOf(workstationStatusSchema) },
  ];
  return compose(config, checks, "log-rules.es5.js", "validateLog");
}
