/**
 * Compiles a JSON Schema (the subset validate-doc-update.ts accepts) into plain ES5 code, instead
 * of interpreting the schema for every document (QuickJS in CouchDB spent most of a request's
 * validation walking the schema object). Two passes, both written out:
 * - the fast pass says only "valid" or "not sure": members read directly in schema order, checks
 *   inline, regular expressions built once (and a value just accepted is not tested again), an
 *   event's shape picked by its `kind`, extra members found by counting. It may answer "not sure"
 *   for a valid value (then the exact pass decides), never "valid" for an invalid one.
 * - the exact pass, run only when the fast one is not sure, finds the first error in document
 *   order, as the reference interpreter (schema-check.es5.js) does: same verdict, same first error,
 *   same French message. validate-doc-update.test.ts runs both on mutated documents.
 * The generated code uses the helpers of helpers.es5.js.
 */

type Schema = { [key: string]: unknown };

const TYPE_MESSAGES: Record<string, string> = {
  string: "texte attendu",
  number: "nombre attendu",
  integer: "nombre entier attendu",
  boolean: "vrai ou faux attendu",
  object: "objet attendu",
  array: "liste attendue",
  null: "valeur nulle attendue",
};

const lit = (v: unknown): string => JSON.stringify(v);

const isPrimitive = (v: unknown): boolean => v === null || typeof v !== "object";

/** The interpreter's quoted(): « value ». */
const quoted = (v: unknown): string => `« ${typeof v === "string" ? v : JSON.stringify(v)} »`;

function typeTest(type: unknown, v: string): string {
  switch (type) {
    case "string":
      return `typeof ${v} === "string"`;
    case "number":
      return `isFiniteNumber(${v})`;
    case "integer":
      return `(isFiniteNumber(${v}) && Math.floor(${v}) === ${v})`;
    case "boolean":
      return `typeof ${v} === "boolean"`;
    case "object":
      return `isRecord(${v})`;
    case "array":
      return `isList(${v})`;
    case "null":
      return `${v} === null`;
    default:
      throw new Error(`Type JSON Schema ${lit(type)} non pris en charge.`);
  }
}

/** Whether a fast check reads this member in line (scalars) or calls a function for it. */
const isScalar = (s: Schema): boolean =>
  s.anyOf === undefined &&
  s.oneOf === undefined &&
  s.items === undefined &&
  s.type !== "object" &&
  s.type !== "array" &&
  s.type !== undefined;

class Compiler {
  private readonly out: string[] = [];
  private count = 0;
  /** Functions and regular expressions already written, by what they check: each one once. */
  private readonly done = new Map<string, string>();

  constructor(private readonly prefix: string) {}

  source(): string {
    return this.out.join("\n");
  }

  private name(kind: string): string {
    return `${this.prefix}_${kind}${this.count++}`;
  }

  private once(key: string, make: () => string): string {
    const known = this.done.get(key);
    if (known !== undefined) return known;
    const made = make();
    this.done.set(key, made);
    return made;
  }

  private pattern(source: string): string {
    return this.once(`R${source}`, () => {
      const re = this.name("R");
      // The fast pass skips a value this expression has just accepted (author, workstation, instants).
      this.out.push(`var ${re} = new RegExp(${lit(source)});`, `var ${re}_ok = null;`);
      return re;
    });
  }

  /** A value's test against a constant, as deepEqual(constant, value) decides it. */
  private equalTest(constant: unknown, v: string): string {
    if (isPrimitive(constant)) return `${v} === ${lit(constant)}`;
    const k = this.name("K");
    this.out.push(`var ${k} = ${lit(constant)};`);
    return `deepEqual(${k}, ${v})`;
  }

  /** A function (v, pp, k) returning null or the first error; the node's path is pathAt(pp, k). */
  node(s: Schema, root: boolean): string {
    return this.once(`n${root}${lit(s)}`, () => this.writeNode(s, root));
  }

  private writeNode(s: Schema, root: boolean): string {
    const fn = this.name("n");
    const body: string[] = [];
    const path = "pathAt(pp, k)";
    const type = s.type;
    const may = (t: string): boolean =>
      type === undefined || type === t || (t === "number" && type === "integer");
    if (type !== undefined) {
      body.push(
        `if (!(${typeTest(type, "v")})) return shown(${path}) + ${lit(` : ${TYPE_MESSAGES[type as string]}.`)};`,
      );
    }
    if (s.const !== undefined) {
      body.push(
        `if (!(${this.equalTest(s.const, "v")})) return shown(${path}) + ${lit(` : valeur attendue ${quoted(s.const)}.`)};`,
      );
    }
    if (s.enum !== undefined) {
      const values = s.enum as unknown[];
      const tests = values.map((e) => this.equalTest(e, "v"));
      body.push(
        `if (!(${tests.join(" || ") || "false"})) return shown(${path}) + ${lit(` : valeur non autorisée (valeurs possibles : ${values.join(", ")}).`)};`,
      );
    }
    if (may("string")) body.push(...this.stringChecks(s, path, type === "string"));
    if (may("number")) body.push(...this.numberChecks(s, path, type !== undefined));
    if (may("array")) body.push(...this.arrayChecks(s, path, type === "array"));
    if (may("object")) body.push(...this.objectChecks(s, path, root, type === "object"));
    if (s.anyOf !== undefined)
      body.push(
        `e = ${this.union(s.anyOf as Schema[], root, false)}(v, pp, k);`,
        "if (e !== null) return e;",
      );
    if (s.oneOf !== undefined)
      body.push(`e = ${this.union(s.oneOf as Schema[], root, true)}(v, pp, k);`, "if (e !== null) return e;");
    this.out.push(`function ${fn}(v, pp, k) {`, "var e, i, p, keys, f, key;", ...body, "return null;", "}");
    return fn;
  }

  private guarded(known: boolean, test: string, lines: string[]): string[] {
    if (lines.length === 0) return [];
    return known ? lines : [`if (${test}) {`, ...lines, "}"];
  }

  private stringChecks(s: Schema, path: string, known: boolean): string[] {
    const lines: string[] = [];
    if (typeof s.minLength === "number") {
      const min = s.minLength;
      const says = min === 1 ? " : ne doit pas être vide." : ` : ${min} caractères au minimum.`;
      // A string of n UTF-16 units holds between n/2 and n characters: count them only in between.
      lines.push(
        `if (v.length < ${min} || (v.length < ${2 * min} && codePoints(v) < ${min})) return shown(${path}) + ${lit(says)};`,
      );
    }
    if (typeof s.maxLength === "number") {
      const max = s.maxLength;
      lines.push(
        `if (v.length > ${max} && codePoints(v) > ${max}) return shown(${path}) + ${lit(` : ${max} caractères au maximum.`)};`,
      );
    }
    if (typeof s.pattern === "string") {
      const re = this.pattern(s.pattern);
      lines.push(`if (!${re}.test(v)) return shown(${path}) + " : format invalide.";`);
    }
    return this.guarded(known, 'typeof v === "string"', lines);
  }

  private numberChecks(s: Schema, path: string, known: boolean): string[] {
    const lines: string[] = [];
    if (typeof s.minimum === "number") {
      lines.push(
        `if (v < ${s.minimum}) return shown(${path}) + ${lit(` : doit être au moins ${s.minimum}.`)};`,
      );
    }
    if (typeof s.maximum === "number") {
      lines.push(
        `if (v > ${s.maximum}) return shown(${path}) + ${lit(` : doit être au plus ${s.maximum}.`)};`,
      );
    }
    return this.guarded(known, 'typeof v === "number"', lines);
  }

  private arrayChecks(s: Schema, path: string, known: boolean): string[] {
    const lines: string[] = [];
    if (typeof s.minItems === "number") {
      lines.push(
        `if (v.length < ${s.minItems}) return shown(${path}) + ${lit(` : ${s.minItems} élément(s) au minimum.`)};`,
      );
    }
    if (typeof s.maxItems === "number") {
      lines.push(
        `if (v.length > ${s.maxItems}) return shown(${path}) + ${lit(` : ${s.maxItems} éléments au maximum.`)};`,
      );
    }
    if (s.items !== undefined) {
      const item = this.node(s.items as Schema, false);
      lines.push(
        `p = ${path};`,
        `for (i = 0; i < v.length; i++) {`,
        `e = ${item}(v[i], p, i);`,
        "if (e !== null) return e;",
        "}",
      );
    }
    return this.guarded(known, "isList(v)", lines);
  }

  private objectChecks(s: Schema, path: string, root: boolean, known: boolean): string[] {
    const lines: string[] = [];
    const required = (s.required as string[] | undefined) ?? [];
    const properties = s.properties as Record<string, Schema> | undefined;
    const extra = s.additionalProperties;
    const names = s.propertyNames as Schema | undefined;
    const needsPath =
      required.length > 0 || properties !== undefined || extra !== undefined || names !== undefined;
    if (!needsPath) return [];
    lines.push(`p = ${path};`);
    for (const r of required) {
      // A parsed document holds no undefined member: the own-member test runs only when it is missing.
      lines.push(
        `if (v[${lit(r)}] === undefined && !hasOwn(v, ${lit(r)})) return fieldPath(p, ${lit(r)}) + " : champ obligatoire manquant.";`,
      );
    }
    let table: string | null = null;
    if (properties !== undefined) {
      table = this.name("P");
      // No prototype: any member name (constructor, __proto__...) reads as undefined unless listed.
      this.out.push(`var ${table} = Object.create(null);`);
      for (const [key, sub] of Object.entries(properties)) {
        if (key === "__proto__") throw new Error("Propriété « __proto__ » non prise en charge.");
        this.out.push(`${table}[${lit(key)}] = ${this.node(sub, false)};`);
      }
    }
    const each: string[] = [];
    if (root) each.push('if (key.charAt(0) === "_") continue;');
    if (names !== undefined) {
      each.push(
        `if (${this.node(names, false)}(key, "", undefined) !== null) return fieldPath(p, key) + " : nom de champ non autorisé.";`,
      );
    }
    const rest: string[] = [];
    if (extra === false) rest.push('return fieldPath(p, key) + " : champ non autorisé.";');
    else if (extra !== undefined && extra !== null && typeof extra === "object" && !Array.isArray(extra)) {
      rest.push(`e = ${this.node(extra as Schema, false)}(v[key], p, key);`, "if (e !== null) return e;");
    }
    if (table !== null) {
      each.push(
        `f = ${table}[key];`,
        "if (f !== undefined) {",
        "e = f(v[key], p, key);",
        "if (e !== null) return e;",
      );
      each.push(...(rest.length > 0 ? ["} else {", ...rest, "}"] : ["}"]));
    } else {
      each.push(...rest);
    }
    lines.push(
      "keys = Object.keys(v);",
      "for (i = 0; i < keys.length; i++) {",
      "key = keys[i];",
      ...each,
      "}",
    );
    return this.guarded(known, "isRecord(v)", lines);
  }

  /** unionError of the interpreter, with ruledOut and claims written out for each branch. */
  private union(branches: Schema[], root: boolean, exactlyOne: boolean): string {
    const lines: string[] = [];
    for (const b of branches) {
      const fn = this.node(b, root);
      lines.push(`if (!(${this.ruledOut(b, root)})) {`, `e = ${fn}(v, pp, k);`, "if (e === null) matches++;");
      lines.push(`else if (${this.claims(b)}) claimed.push(e);`, "}");
    }
    lines.push(`if (matches === 1${exactlyOne ? "" : " || matches > 1"}) return null;`);
    if (exactlyOne)
      lines.push(
        'if (matches > 1) return shown(pathAt(pp, k)) + " : correspond à plusieurs formes à la fois.";',
      );
    lines.push("if (claimed.length === 1) return claimed[0];");
    const discriminator = discriminatorOf(branches);
    if (discriminator !== null) {
      lines.push(
        `if (isRecord(v)) return fieldPath(pathAt(pp, k), ${lit(discriminator.key)}) + ${lit(` : valeur non autorisée (valeurs possibles : ${discriminator.values.join(", ")}).`)};`,
      );
    }
    lines.push('return shown(pathAt(pp, k)) + " : ne correspond à aucune forme autorisée.";');
    const fn = this.name("u");
    this.out.push(`function ${fn}(v, pp, k) {`, "var e, matches = 0, claimed = [];", ...lines, "}");
    return fn;
  }

  /** The fast pass of a node: a function (v) returning true when v is certainly valid. */
  fast(s: Schema, root: boolean): string {
    return this.once(`f${root}${lit(s)}`, () => this.writeFast(s, root));
  }

  private writeFast(s: Schema, root: boolean): string {
    const fn = this.name("f");
    const vars: string[] = [];
    const lines = this.fastChecks(s, "v", root, vars);
    this.out.push(
      `function ${fn}(v) {`,
      ...(vars.length > 0 ? [`var ${vars.join(", ")};`] : []),
      ...lines,
      "return true;",
      "}",
    );
    return fn;
  }

  /** Statements returning false unless the value in variable `x` is certainly valid. */
  private fastChecks(s: Schema, x: string, root: boolean, vars: string[]): string[] {
    const local = (kind: string): string => {
      const n = `${kind}${vars.length}`;
      vars.push(n);
      return n;
    };
    const type = s.type;
    const may = (t: string): boolean =>
      type === undefined || type === t || (t === "number" && type === "integer");
    const guard = (known: boolean, test: string, body: string[]): string[] =>
      body.length === 0 ? [] : known ? body : [`if (${test}) {`, ...body, "}"];
    const lines: string[] = [];
    if (type !== undefined) lines.push(`if (!(${typeTest(type, x)})) return false;`);
    if (s.const !== undefined) lines.push(`if (!(${this.equalTest(s.const, x)})) return false;`);
    if (s.enum !== undefined) {
      const tests = (s.enum as unknown[]).map((e) => this.equalTest(e, x));
      lines.push(`if (!(${tests.join(" || ") || "false"})) return false;`);
    }
    if (may("string")) {
      const body: string[] = [];
      if (typeof s.minLength === "number") {
        body.push(
          `if (${x}.length < ${s.minLength} || (${x}.length < ${2 * s.minLength} && codePoints(${x}) < ${s.minLength})) return false;`,
        );
      }
      if (typeof s.maxLength === "number") {
        body.push(`if (${x}.length > ${s.maxLength} && codePoints(${x}) > ${s.maxLength}) return false;`);
      }
      if (typeof s.pattern === "string") {
        const re = this.pattern(s.pattern);
        body.push(
          `if (${x} !== ${re}_ok) {`,
          `if (!${re}.test(${x})) return false;`,
          `${re}_ok = ${x};`,
          "}",
        );
      }
      lines.push(...guard(type === "string", `typeof ${x} === "string"`, body));
    }
    if (may("number")) {
      const body: string[] = [];
      if (typeof s.minimum === "number") body.push(`if (${x} < ${s.minimum}) return false;`);
      if (typeof s.maximum === "number") body.push(`if (${x} > ${s.maximum}) return false;`);
      lines.push(...guard(type !== undefined, `typeof ${x} === "number"`, body));
    }
    if (may("array")) {
      const body: string[] = [];
      if (typeof s.minItems === "number") body.push(`if (${x}.length < ${s.minItems}) return false;`);
      if (typeof s.maxItems === "number") body.push(`if (${x}.length > ${s.maxItems}) return false;`);
      if (s.items !== undefined) {
        const item = this.fast(s.items as Schema, false);
        const i = local("i");
        body.push(`for (${i} = 0; ${i} < ${x}.length; ${i}++) if (!${item}(${x}[${i}])) return false;`);
      }
      lines.push(...guard(type === "array", `isList(${x})`, body));
    }
    if (may("object"))
      lines.push(...guard(type === "object", `isRecord(${x})`, this.fastObject(s, x, root, vars, local)));
    if (s.anyOf !== undefined) {
      const branches = (s.anyOf as Schema[]).map((b) => `${this.fast(b, root)}(${x})`);
      lines.push(`if (!(${branches.join(" || ")})) return false;`);
    }
    if (s.oneOf !== undefined) lines.push(...this.fastOneOf(s.oneOf as Schema[], x, root, local));
    return lines;
  }

  private fastObject(
    s: Schema,
    x: string,
    root: boolean,
    vars: string[],
    local: (kind: string) => string,
  ): string[] {
    const lines: string[] = [];
    // The exact pass skips CouchDB's own members at the top: so does this one.
    const own = (key: string): boolean => !(root && key.charAt(0) === "_");
    const properties = Object.entries((s.properties as Record<string, Schema> | undefined) ?? {}).filter(
      ([k]) => own(k),
    );
    const required = new Set((s.required as string[] | undefined) ?? []);
    const extra = s.additionalProperties;
    const names = s.propertyNames as Schema | undefined;
    // Nothing said about members (a union's container): the exact pass checks none either.
    if (properties.length === 0 && required.size === 0 && extra === undefined && names === undefined)
      return [];
    const count = local("n");
    lines.push(`${count} = 0;`);
    for (const [key, sub] of properties) {
      const y = local("y");
      const checks = isScalar(sub)
        ? this.fastChecks(sub, y, false, vars)
        : [`if (!${this.fast(sub, false)}(${y})) return false;`];
      lines.push(`${y} = ${x}[${lit(key)}];`, `if (${y} !== undefined) {`, `${count}++;`, ...checks);
      lines.push(required.has(key) ? "} else return false;" : "}");
    }
    for (const key of required) {
      if (!properties.some(([k]) => k === key)) lines.push(`if (!hasOwn(${x}, ${lit(key)})) return false;`);
    }
    const keys = local("keys");
    const i = local("i");
    if (extra === false && names === undefined) {
      // Every member read above was counted: any other member is one too many.
      if (root) {
        const n = local("m");
        lines.push(`${keys} = Object.keys(${x});`, `${n} = 0;`);
        lines.push(
          `for (${i} = 0; ${i} < ${keys}.length; ${i}++) if (${keys}[${i}].charAt(0) !== "_") ${n}++;`,
        );
        lines.push(`if (${n} !== ${count}) return false;`);
      } else {
        lines.push(`if (Object.keys(${x}).length !== ${count}) return false;`);
      }
      return lines;
    }
    const key = local("key");
    const known = this.name("T");
    this.out.push(
      `var ${known} = Object.create(null);`,
      ...properties.map(([k]) => `${known}[${lit(k)}] = true;`),
    );
    const each: string[] = [`${key} = ${keys}[${i}];`];
    if (root) each.push(`if (${key}.charAt(0) === "_") continue;`);
    if (names !== undefined) each.push(`if (!${this.fast(names, false)}(${key})) return false;`);
    each.push(`if (${x}[${key}] === undefined) return false;`, `if (${known}[${key}] === true) continue;`);
    if (extra === false) each.push("return false;");
    else if (extra !== undefined && extra !== null && typeof extra === "object") {
      each.push(`if (!${this.fast(extra as Schema, false)}(${x}[${key}])) return false;`);
    }
    lines.push(
      `${keys} = Object.keys(${x});`,
      `for (${i} = 0; ${i} < ${keys}.length; ${i}++) {`,
      ...each,
      "}",
    );
    return lines;
  }

  /** Exactly one branch valid. Branches told apart by a constant member: only that one is tried. */
  private fastOneOf(branches: Schema[], x: string, root: boolean, local: (kind: string) => string): string[] {
    const fns = branches.map((b) => this.fast(b, root));
    const tag = discriminatorOf(branches);
    const distinct =
      tag !== null &&
      !(root && tag.key.charAt(0) === "_") &&
      tag.values.every((v) => isPrimitive(v) && v !== undefined) &&
      new Set(tag.values).size === tag.values.length;
    if (tag !== null && distinct) {
      // The other branches hold another constant for a member the value has: they cannot match.
      const cases = tag.values.map((v, i) => `case ${lit(v)}: if (!${fns[i]}(${x})) return false; break;`);
      return [
        `if (!isRecord(${x}) || !hasOwn(${x}, ${lit(tag.key)})) return false;`,
        `switch (${x}[${lit(tag.key)}]) {`,
        ...cases,
        "default: return false;",
        "}",
      ];
    }
    const n = local("n");
    return [`${n} = 0;`, ...fns.map((f) => `if (${f}(${x})) ${n}++;`), `if (${n} !== 1) return false;`];
  }

  private constMembers(b: Schema): [string, unknown][] {
    const props = b.properties as Record<string, Schema> | undefined;
    if (props === undefined) return [];
    return Object.entries(props)
      .filter(([, sub]) => sub.const !== undefined)
      .map(([key, sub]) => [key, sub.const]);
  }

  private ruledOut(b: Schema, root: boolean): string {
    const parts: string[] = [];
    if (b.type !== undefined) parts.push(`!(${typeTest(b.type, "v")})`);
    const members = this.constMembers(b).filter(([key]) => !(root && key.charAt(0) === "_"));
    if (members.length > 0) {
      const differs = members.map(
        ([key, c]) => `(hasOwn(v, ${lit(key)}) && !(${this.equalTest(c, `v[${lit(key)}]`)}))`,
      );
      parts.push(`(isRecord(v) && (${differs.join(" || ")}))`);
    }
    return parts.join(" || ") || "false";
  }

  private claims(b: Schema): string {
    const parts: string[] = [];
    if (b.type !== undefined) parts.push(typeTest(b.type, "v"));
    const members = this.constMembers(b);
    if (b.properties !== undefined && members.length > 0) {
      const equal = members.map(([key, c]) => this.equalTest(c, `v[${lit(key)}]`));
      parts.push(`(!isRecord(v) || (${equal.join(" && ")}))`);
    }
    return parts.join(" && ") || "true";
  }
}

/** The interpreter's fallback message: the first constant member that every branch has. */
function discriminatorOf(branches: Schema[]): { key: string; values: unknown[] } | null {
  const first = branches[0]?.properties as Record<string, Schema> | undefined;
  if (first === undefined) return null;
  for (const key of Object.keys(first)) {
    if (first[key]?.const === undefined) continue;
    const values: unknown[] = [];
    for (const b of branches) {
      const props = b.properties as Record<string, Schema> | undefined;
      if (props === undefined || !Object.hasOwn(props, key)) break;
      values.push(props[key]?.const);
    }
    if (values.length === branches.length) return { key, values };
  }
  return null;
}

/**
 * ES5 source declaring `function <name>(doc)`: null when the document fits the schema, else the
 * first error ("<path> : <reason>"). Members starting with "_" at the top are CouchDB's own.
 */
export function compileSchemaCheck(schema: Schema, name: string): string {
  const compiler = new Compiler(`${name}_`);
  const exact = compiler.node(schema, true);
  const fast = compiler.fast(schema, true);
  return [
    compiler.source(),
    `function ${name}(doc) {`,
    `return ${fast}(doc) ? null : ${exact}(doc, "", undefined);`,
    "}",
  ].join("\n");
}
