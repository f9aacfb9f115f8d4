/* biome-ignore-all lint: ES5 spliced into validate_doc_update functions, see validate-doc-update.ts */
/* biome-ignore-all format: the formatter would add trailing commas in calls, which ES5 engines reject */

// The reference interpreter of the JSON Schema subset that z.toJSONSchema emits for Guichet's
// schemas (validate-doc-update.ts refuses any other keyword). The functions installed in the
// databases run checkers compiled from the same schemas (compile-schema.ts), which must say exactly
// what this one says: validate-doc-update.test.ts runs both on mutated documents. Short and slow on
// purpose: it walks the schema object for every value. Messages: "<path> : <reason>", in French.

var TYPE_MESSAGES = {
  string: "texte attendu",
  number: "nombre attendu",
  integer: "nombre entier attendu",
  boolean: "vrai ou faux attendu",
  object: "objet attendu",
  array: "liste attendue",
  null: "valeur nulle attendue",
};

var PATTERNS = {};

function patternOf(source) {
  if (!hasOwn(PATTERNS, source)) PATTERNS[source] = new RegExp(source);
  return PATTERNS[source];
}

function matchesType(type, v) {
  if (type === "string") return typeof v === "string";
  if (type === "number") return isFiniteNumber(v);
  if (type === "integer") return matchesType("number", v) && Math.floor(v) === v;
  if (type === "boolean") return typeof v === "boolean";
  if (type === "object") return isRecord(v);
  if (type === "array") return isList(v);
  if (type === "null") return v === null;
  return false;
}

function schemaError(s, v, path, root) {
  var i;
  var k;
  var e;
  var keys;
  if (s.type !== undefined && !matchesType(s.type, v)) return shown(path) + " : " + TYPE_MESSAGES[s.type] + ".";
  if (s["const"] !== undefined && !deepEqual(s["const"], v)) {
    return shown(path) + " : valeur attendue " + quoted(s["const"]) + ".";
  }
  if (s["enum"] !== undefined) {
    for (i = 0; i < s["enum"].length; i++) if (deepEqual(s["enum"][i], v)) break;
    if (i === s["enum"].length) {
      return shown(path) + " : valeur non autorisée (valeurs possibles : " + s["enum"].join(", ") + ").";
    }
  }
  if (typeof v === "string") {
    if (s.minLength !== undefined && codePoints(v) < s.minLength) {
      return shown(path) + (s.minLength === 1 ? " : ne doit pas être vide." : " : " + s.minLength + " caractères au minimum.");
    }
    if (s.maxLength !== undefined && codePoints(v) > s.maxLength) {
      return shown(path) + " : " + s.maxLength + " caractères au maximum.";
    }
    if (s.pattern !== undefined && !patternOf(s.pattern).test(v)) return shown(path) + " : format invalide.";
  }
  if (typeof v === "number") {
    if (s.minimum !== undefined && v < s.minimum) return shown(path) + " : doit être au moins " + s.minimum + ".";
    if (s.maximum !== undefined && v > s.maximum) return shown(path) + " : doit être au plus " + s.maximum + ".";
  }
  if (isList(v)) {
    if (s.minItems !== undefined && v.length < s.minItems) {
      return shown(path) + " : " + s.minItems + " élément(s) au minimum.";
    }
    if (s.maxItems !== undefined && v.length > s.maxItems) {
      return shown(path) + " : " + s.maxItems + " éléments au maximum.";
    }
    if (s.items !== undefined) {
      for (i = 0; i < v.length; i++) {
        e = schemaError(s.items, v[i], fieldPath(path, i), false);
        if (e !== null) return e;
      }
    }
  }
  if (isRecord(v)) {
    if (s.required !== undefined) {
      for (i = 0; i < s.required.length; i++) {
        if (!hasOwn(v, s.required[i])) return fieldPath(path, s.required[i]) + " : champ obligatoire manquant.";
      }
    }
    keys = Object.keys(v);
    for (i = 0; i < keys.length; i++) {
      k = keys[i];
      // CouchDB's own members (_id, _rev, _revisions, _deleted...) at the top of a document.
      if (root && k.charAt(0) === "_") continue;
      if (s.propertyNames !== undefined && schemaError(s.propertyNames, k, "", false) !== null) {
        return fieldPath(path, k) + " : nom de champ non autorisé.";
      }
      if (s.properties !== undefined && hasOwn(s.properties, k)) {
        e = schemaError(s.properties[k], v[k], fieldPath(path, k), false);
      } else if (s.additionalProperties === false) {
        e = fieldPath(path, k) + " : champ non autorisé.";
      } else if (isRecord(s.additionalProperties)) {
        e = schemaError(s.additionalProperties, v[k], fieldPath(path, k), false);
      } else {
        e = null;
      }
      if (e !== null) return e;
    }
  }
  if (s.anyOf !== undefined) {
    e = unionError(s.anyOf, v, path, root, false);
    if (e !== null) return e;
  }
  if (s.oneOf !== undefined) {
    e = unionError(s.oneOf, v, path, root, true);
    if (e !== null) return e;
  }
  return null;
}

// A branch "claims" a value when the value has its type and its constant members (a discriminator
// such as an event's kind): the error worth showing is that branch's.
function claims(branch, v) {
  var k;
  if (branch.type !== undefined && !matchesType(branch.type, v)) return false;
  if (branch.properties !== undefined && isRecord(v)) {
    for (k in branch.properties) {
      if (hasOwn(branch.properties, k) && branch.properties[k]["const"] !== undefined) {
        if (!deepEqual(branch.properties[k]["const"], v[k])) return false;
      }
    }
  }
  return true;
}

// The value certainly fails this branch: wrong type, or a member it has with another value than
// the branch's constant (an event of another kind). schemaError would say so after checking the
// members before it (patterns included): skipping it changes no verdict and no message, since
// such a branch neither matches nor claims the value.
function ruledOut(branch, v, root) {
  var k;
  if (branch.type !== undefined && !matchesType(branch.type, v)) return true;
  if (branch.properties === undefined || !isRecord(v)) return false;
  for (k in branch.properties) {
    if (!hasOwn(branch.properties, k) || branch.properties[k]["const"] === undefined) continue;
    if (root && k.charAt(0) === "_") continue;
    if (hasOwn(v, k) && !deepEqual(branch.properties[k]["const"], v[k])) return true;
  }
  return false;
}

function unionError(branches, v, path, root, exactlyOne) {
  var i;
  var k;
  var e;
  var matches = 0;
  var errors = [];
  var claimed = [];
  var values = [];
  for (i = 0; i < branches.length; i++) {
    if (ruledOut(branches[i], v, root)) continue;
    e = schemaError(branches[i], v, path, root);
    errors.push(e);
    if (e === null) matches++;
    else if (claims(branches[i], v)) claimed.push(e);
  }
  if (matches === 1 || (matches > 1 && !exactlyOne)) return null;
  if (matches > 1) return shown(path) + " : correspond à plusieurs formes à la fois.";
  if (claimed.length === 1) return claimed[0];
  // No branch claims it: name the discriminator and its possible values when there is one.
  if (isRecord(v) && branches[0].properties !== undefined) {
    for (k in branches[0].properties) {
      if (!hasOwn(branches[0].properties, k) || branches[0].properties[k]["const"] === undefined) continue;
      values = [];
      for (i = 0; i < branches.length; i++) {
        if (branches[i].properties === undefined || !hasOwn(branches[i].properties, k)) break;
        values.push(branches[i].properties[k]["const"]);
      }
      if (values.length === branches.length) {
        return fieldPath(path, k) + " : valeur non autorisée (valeurs possibles : " + values.join(", ") + ").";
      }
    }
  }
  return shown(path) + " : ne correspond à aucune forme autorisée.";
}
