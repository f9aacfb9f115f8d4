import { readFileSync } from "node:fs";
import { requestSchema } from "../domain/request";
import { jsonSchemaOf } from "../sync-server/couch/validate-doc-update";

/**
 * The generated function with its compiled request checker swapped for the reference interpreter
 * walking the JSON Schema (schema-check.es5.js): the rules as they ran before, for comparison.
 */
export function interpretedVariant(generated: string): string {
  const interpreter = readFileSync(
    new URL("../sync-server/couch/vdu/schema-check.es5.js", import.meta.url),
    "utf8",
  );
  const replacement = [
    `var SCHEMA = ${JSON.stringify(jsonSchemaOf(requestSchema))};`,
    interpreter,
    'function checkRequestDoc(doc) { return schemaError(SCHEMA, doc, "", true); }',
  ]
    .join("\n")
    .replace(/[^\x20-\x7e\n]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const out = generated.replace(/\nfunction checkRequestDoc\(doc\) \{\n[^\n]*\n\}/, () => `\n${replacement}`);
  if (out === generated) throw new Error("vérificateur compilé introuvable dans la fonction générée");
  return out;
}
