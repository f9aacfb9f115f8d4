/* biome-ignore-all lint: ES5 spliced into validate_doc_update functions, see validate-doc-update.ts */
/* biome-ignore-all format: the formatter would add trailing commas in calls, which ES5 engines reject */

// Helpers shared by the rules and the compiled schema checkers (compile-schema.ts), and by the
// reference interpreter (schema-check.es5.js). Messages: "<path> : <reason>", in French.

function hasOwn(o, k) {
  return Object.prototype.hasOwnProperty.call(o, k);
}

function isList(v) {
  return Array.isArray(v);
}

function isRecord(v) {
  return v !== null && typeof v === "object" && !isList(v);
}

function isFiniteNumber(v) {
  return typeof v === "number" && v === v && v !== Infinity && v !== -Infinity;
}

function deepEqual(a, b) {
  var i;
  var keys;
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (isList(a) !== isList(b)) return false;
  if (isList(a)) {
    if (a.length !== b.length) return false;
    for (i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (i = 0; i < keys.length; i++) {
    if (!hasOwn(b, keys[i]) || !deepEqual(a[keys[i]], b[keys[i]])) return false;
  }
  return true;
}

function fieldPath(path, key) {
  return path === "" ? String(key) : path + "." + key;
}

function shown(path) {
  return path === "" ? "document" : path;
}

function quoted(v) {
  return "« " + (typeof v === "string" ? v : JSON.stringify(v)) + " »";
}

// Lengths in characters (code points), as JSON Schema and the domain's zod count them: an emoji
// is one character, not two UTF-16 units.
function codePoints(v) {
  var n = v.length;
  var i;
  for (i = 0; i < v.length - 1; i++) {
    if ((v.charCodeAt(i) & 0xfc00) === 0xd800 && (v.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

// The path of a member: its parent's path and its key, or the parent's own path with no key.
function pathAt(parentPath, key) {
  return key === undefined ? parentPath : fieldPath(parentPath, key);
}
