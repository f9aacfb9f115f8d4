import fc from "fast-check";
import { JSON_LIMIT, JSON_WITH_FILES_LIMIT } from "../../../sync-server/api/json-body";
import { MAX_FILE_BYTES } from "../../../sync-server/services/submission-schema";
import { buildRequest } from "./requests";

/**
 * What a hostile or careless client sends, as fast-check generators: the portal's JSON API, its
 * HTML forms, Open311, and direct database writes with an agent's credentials. Valid submissions
 * with hostile text (RTL, combining marks, emoji, line separators, lone surrogates, markup), mail
 * header injection in names and emails, deeply nested JSON, wrong or lying content types,
 * oversized and truncated bodies. Used by tests/integration/hostile-input.test.ts (short) and
 * bench/hostile.ts (10,000 cases per target).
 */
export type Target = "api" | "form" | "open311" | "direct";
export const TARGETS: Target[] = ["api", "form", "open311", "direct"];

export type HttpCase = {
  target: Target;
  /** The family of the case (statistics, and to find a failing one again). */
  label: string;
  method: string;
  /** Path and query, on the portal (or on the main database for `direct`). */
  path: string;
  headers: Record<string, string>;
  /** Built when sent: oversized bodies are not kept in memory for the whole run. */
  body?: () => Buffer;
  /** Sent chunked, without Content-Length: the limit must hold while the body streams in. */
  stream?: boolean;
};

export const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);

/** Text a citizen could type or an attacker could send: some valid, some not, all unkind. */
export const HOSTILE_SAMPLES = [
  "Nguyễn Thị Minh Khai",
  "Nguye\u0302\u0303n", // combining marks
  "e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301", // stacked combining marks
  "Z̷̢̛̛̺͙͎a̵̧̛l̴g̶o̷",
  "\u202Eélaitnedifnoc\u202C", // RTL override
  "\u200F\u05E9\u05DC\u05D5\u05DD", // Hebrew, RTL mark
  "مرحبا بالعالم",
  "\u2066isolé\u2069",
  "👩🏽‍⚕️",
  "🏳️‍🌈",
  "👨‍👩‍👧‍👦 Famille",
  "Zoé 😀",
  "\u200B\u200C\u200D\uFEFF",
  "a\u2028b", // line separator
  "a\u2029b", // paragraph separator
  "a\u0085b", // NEL
  "a\r\nBcc: victime@example.org",
  "a\nSubject: gagné",
  "a\rX-Injected: 1",
  "\u0000",
  "\u0007\u001b[31m",
  "\t",
  "\u007f",
  "\uD800", // lone surrogates
  "\uDFFF",
  "a\uD83D",
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "{{7*7}} #{7*7} <%= 7*7 %>",
  "%s%n%x",
  "'; DROP TABLE demandes; --",
  "../../etc/passwd",
  "C:\\Windows\\system32\\",
  "%00%0d%0a",
  "x".repeat(81),
  "é".repeat(201),
  "😀".repeat(101),
  "__proto__",
  "constructor",
  "",
  " ",
  "\u00A0",
  "ＡＢＣ＠ｅｘａｍｐｌｅ．ｏｒｇ",
  "pаypal", // Cyrillic a
  "null",
  "NaN",
  "-0",
  "1e400",
  "Jean-Édouard d'Ormesson",
  "Ἀριστοτέλης",
  "李小龍",
];

export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_SAMPLES) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...HOSTILE_SAMPLES), fc.constantFrom(...HOSTILE_SAMPLES))
      .map(([a, b]) => `${a} ${b}`),
  },
);

const EMAIL_SAMPLES = [
  "lea.martin@example.org",
  "x+etiquette@example.org",
  "o'brien@example.ie",
  "üser@exämple.de",
  '"local part"@example.org',
  "a@example.org\r\nBcc: victime@example.org",
  "a@example.org\nBcc: victime@example.org",
  "a@example.org\rBcc: victime@example.org",
  "a@example.org%0d%0aBcc:victime@example.org",
  "a@example.org, victime@example.org",
  "a@example.org; victime@example.org",
  "Victime <victime@example.org>",
  "a@example.org\u2028Bcc: victime@example.org",
  "a@example.org\u0085Bcc: victime@example.org",
  "=?utf-8?q?a=0d=0aBcc=3a_victime@example.org?=@example.org",
  "a@[127.0.0.1]",
  "a@localhost",
  `${"x".repeat(250)}@example.org`,
  "@example.org",
  "a@",
  "a@@example.org",
  "a@example..org",
  " a@example.org ",
];

export const hostileEmail: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EMAIL_SAMPLES) },
  { weight: 2, arbitrary: fc.emailAddress() },
  { weight: 1, arbitrary: hostileText.map((t) => `${t}@example.org`) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.emailAddress(), fc.constantFrom("\r\n", "\n", "\r", "\u2028", "\u0085", "%0A"))
      .map(([e, br]) => `${e}${br}Bcc: victime@example.org`),
  },
);

/** Percent-encoded for a URL (lone surrogates, which no URL can carry, become U+FFFD). */
const uri = (s: string): string =>
  encodeURIComponent(
    s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD"),
  );

/** A JSON text nested `depth` levels deep (arrays or objects), built without recursion. */
export function nested(depth: number, kind: "array" | "object"): string {
  return kind === "array"
    ? `${"[".repeat(depth)}1${"]".repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

// ---------------------------------------------------------------------------------------------
// Submissions (JSON API), in the shape the portal expects.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const CITIZEN = {
  firstName: "Camille",
  lastName: "Durand",
  email: "camille.durand@example.org",
  phone: "06 12 34 56 78",
  address: { line: "3 rue du Port", postcode: "13002", city: "Marseille" },
};

const VALID_SUBMISSIONS: Record<string, Json> = {
  aide_restauration_scolaire: {
    demarche: "aide_restauration_scolaire",
    fields: { enfant: "Léa Durand", ecole: "École Jules-Ferry", quotientFamilial: 620 },
    citizen: CITIZEN,
  },
  demande_generale: {
    demarche: "demande_generale",
    fields: { message: "Bonjour,\nquels sont les horaires de la déchetterie ?" },
    citizen: CITIZEN,
    filedBy: { name: "Dominique Durand", relation: "conjoint" },
  },
  signalement_voirie: {
    demarche: "signalement_voirie",
    fields: { description: "Nid-de-poule dangereux", lieu: "12 rue des Lilas" },
    citizen: CITIZEN,
    location: { address: "12 rue des Lilas", lat: 43.3, lng: 5.4 },
  },
  acte_naissance: {
    demarche: "acte_naissance",
    fields: {
      personne: "Durand Léa Jeanne",
      dateActe: "1990-05-17",
      typeCopie: "copie_integrale",
      delivrance: "courrier",
    },
    citizen: CITIZEN,
  },
};

/** Paths of every string in a JSON value. */
function stringPaths(v: Json, prefix: string[] = []): string[][] {
  if (typeof v === "string") return [prefix];
  if (v === null || typeof v !== "object") return [];
  return Object.entries(v).flatMap(([k, child]) => stringPaths(child as Json, [...prefix, k]));
}

function setPath(obj: Json, path: string[], value: Json | undefined): Json {
  const copy = structuredClone(obj) as Record<string, Json>;
  let node = copy;
  for (const k of path.slice(0, -1)) {
    const next = node[k];
    if (next === null || typeof next !== "object") return copy;
    node = next as Record<string, Json>;
  }
  const last = path[path.length - 1] ?? "";
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

const submissionBase = fc.constantFrom(...Object.values(VALID_SUBMISSIONS));

/** A valid submission with one to three of its strings replaced by hostile text or email. */
const hostileSubmission: fc.Arbitrary<Json> = submissionBase.chain((base) =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...stringPaths(base)),
        hostileText,
        fc.boolean(), // email slot: a hostile email instead
        hostileEmail,
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) =>
      edits.reduce<Json>(
        (doc, [path, text, asEmail, email]) =>
          setPath(doc, path, path.join(".") === "citizen.email" && asEmail ? email : text),
        base,
      ),
    ),
);

const wrongJsonTypes = [
  "text/plain",
  "application/json; charset=utf-16",
  "APPLICATION/JSON",
  "application/json, text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "",
  "application/jsonp",
  "application/merge-patch+json",
  "application/json;;;",
  "application/json; charset=utf-8; boundary=--",
];

const contentType = (type: string): Record<string, string> => (type ? { "content-type": type } : {});

type PartialCase = {
  label: string;
  headers: Record<string, string>;
  method?: string;
  path?: string;
  body?: () => Buffer;
  stream?: boolean;
};

/** A case of `target`: POST to `path` unless the generator said otherwise. */
const finish =
  (target: Target, path: string) =>
  (c: PartialCase): HttpCase => ({ ...c, target, method: c.method ?? "POST", path: c.path ?? path });

const json = (body: string | Buffer, type = "application/json") => ({
  headers: type ? { "content-type": type } : ({} as Record<string, string>),
  body: () => (typeof body === "string" ? Buffer.from(body) : body),
});

const attachment = fc.record({
  name: fc.oneof(hostileText, fc.constantFrom("justificatif.pdf", "../../../etc/passwd", "a\r\n.pdf")),
  contentBase64: fc.oneof(
    fc.constant(PDF.toString("base64")),
    fc.constant(PNG.toString("base64")),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("base64")),
    fc.constantFrom("pas du base64 !", "", "====", "QUJD\nREVG"),
  ),
});

/** Cases for the JSON API (/api/v1/...). */
export const apiCase: fc.Arbitrary<HttpCase> = fc
  .oneof(
    {
      weight: 40,
      arbitrary: hostileSubmission.map((s) => ({
        label: "soumission au texte hostile",
        ...json(JSON.stringify(s)),
      })),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          submissionBase,
          fc.integer({ min: 0, max: 6 }),
          fc.constantFrom(1, 2, 10, 100, 1000, 10_000, 200_000),
          fc.constantFrom<"array" | "object">("array", "object"),
        )
        .map(([base, where, depth, kind]) => {
          const deep = nested(depth, kind);
          const text = JSON.stringify(base);
          // The deep value as the whole body, or at one place inside a valid submission.
          const spots = [
            deep,
            text.replace('"fields":{', `"fields":{"extra":${deep},`),
            text.replace(/"enfant":"[^"]*"|"message":"[^"]*"|"description":"[^"]*"|"personne":"[^"]*"/, (m) =>
              m.replace(/:.*/, `:${deep}`),
            ),
            text.replace('"citizen":{', `"citizen":{"nested":${deep},`),
            text.replace(/\}$/, `,"attachments":${deep}}`),
            text.replace(/"firstName":"[^"]*"/, `"firstName":${deep}`),
            text.replace(/\}$/, `,"location":${deep}}`),
          ];
          return { label: `JSON imbriqué (profondeur ${depth})`, ...json(spots[where] ?? deep) };
        }),
    },
    {
      weight: 8,
      arbitrary: fc.tuple(submissionBase, fc.constantFrom(...wrongJsonTypes)).map(([s, type]) => ({
        label: "type de contenu inattendu",
        ...json(JSON.stringify(s), type),
      })),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          submissionBase,
          fc.constantFrom(
            "bom",
            "truncated",
            "trailing",
            "nan",
            "single-quotes",
            "duplicate",
            "proto",
            "constructor",
            "latin1",
            "utf16",
            "nul",
          ),
        )
        .map(([s, how]) => {
          const text = JSON.stringify(s);
          const bodies: Record<string, string | Buffer> = {
            bom: `\uFEFF${text}`,
            truncated: text.slice(0, Math.floor(text.length / 2)),
            trailing: `${text} {}`,
            nan: text.replace(/620/, "NaN"),
            "single-quotes": text.replace(/"/g, "'"),
            duplicate: text.replace(/^\{/, '{"citizen":42,'),
            proto: text.replace(/^\{/, '{"__proto__":{"admin":true,"ok":true},'),
            constructor: text.replace(/^\{/, '{"constructor":{"prototype":{"admin":true}},'),
            latin1: Buffer.from(text, "latin1"),
            utf16: Buffer.from(text, "utf16le"),
            nul: `${text}\u0000`,
          };
          return { label: `JSON malformé (${how})`, ...json(bodies[how] ?? text) };
        }),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(submissionBase, fc.array(attachment, { minLength: 1, maxLength: 4 }))
        .map(([s, attachments]) => ({
          label: "pièces jointes hostiles",
          ...json(JSON.stringify({ ...(s as Record<string, Json>), attachments })),
        })),
    },
    {
      weight: 8,
      arbitrary: fc
        .jsonValue({ maxDepth: 4 })
        .map((v) => ({ label: "JSON quelconque", ...json(JSON.stringify(v)) })),
    },
    {
      weight: 12,
      arbitrary: fc
        .record({
          trackingNumber: fc.oneof(hostileText, fc.constantFrom("K7M-000-001-X", "WEB-000-000-1", "")),
          email: hostileEmail,
        })
        .map((b) => ({ label: "suivi", path: "/api/v1/follow-up", ...json(JSON.stringify(b)) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("/api/v1/requests", "/api/v1/follow-up"), fc.constantFrom(1, 2), fc.boolean())
        .map(([path, factor, stream]) => ({
          label: stream ? "corps trop gros (en flux)" : "corps trop gros",
          path,
          stream,
          // Just over the limit of that door (the submission's limit counts its files).
          headers: { "content-type": "application/json" },
          body: () => {
            const limit = path.endsWith("follow-up") ? JSON_LIMIT : JSON_WITH_FILES_LIMIT;
            return Buffer.from(`{"pad":"${"x".repeat(limit * factor)}"}`);
          },
        })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          fc.constantFrom("GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
          fc.constantFrom("/api/v1/requests", "/api/v1/catalogue", "/api/v1/follow-up", "/api/v1/"),
          hostileText,
        )
        .map(([method, path, q]) => ({
          label: "méthode ou chemin inattendu",
          method,
          path: `${path}${method === "GET" ? `?q=${uri(q)}` : `/${uri(q)}`}`,
          headers: {},
        })),
    },
  )
  .map(finish("api", "/api/v1/requests"));

// ---------------------------------------------------------------------------------------------
// HTML forms of the portal.

const VALID_FORMS: Record<string, Record<string, string>> = {
  aide_restauration_scolaire: {
    champ_enfant: "Léa Durand",
    champ_ecole: "École Jules-Ferry",
    champ_quotientFamilial: "620",
  },
  demande_generale: { champ_message: "Bonjour,\r\nquels horaires ?", pour_nom: "", pour_lien: "" },
  signalement_voirie: { champ_description: "Nid-de-poule", champ_lieu: "12 rue des Lilas" },
  acte_naissance: {
    champ_personne: "Durand Léa",
    champ_dateActe: "17/05/1990",
    champ_typeCopie: "copie_integrale",
    champ_delivrance: "courrier",
  },
};
const CITIZEN_FORM = {
  nom: "Durand",
  prenom: "Camille",
  email: "camille.durand@example.org",
  telephone: "06 12 34 56 78",
  adresse: "3 rue du Port",
  code_postal: "13002",
  ville: "Marseille",
};

const formBase = fc
  .constantFrom(...Object.keys(VALID_FORMS))
  .map((id) => ({ id, fields: { ...VALID_FORMS[id], ...CITIZEN_FORM } as Record<string, string> }));

const hostileForm = formBase.chain(({ id, fields }) =>
  fc
    .array(
      fc.tuple(
        fc.constantFrom(...Object.keys(fields), "piece_recue", "nom[]", "extra", "champ_inconnu"),
        hostileText,
        hostileEmail,
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((edits) => {
      const f = { ...fields };
      for (const [name, text, email] of edits) f[name] = name === "email" ? email : text;
      return { id, fields: f };
    }),
);

/** A multipart body written by hand, so file names and parts can be as broken as an attacker likes. */
function multipart(
  fields: Record<string, string>,
  file: { name: string; data: Buffer; type: string } | null,
  breakIt: "none" | "no-end" | "bad-boundary" | "no-boundary",
): { headers: Record<string, string>; body: () => Buffer } {
  const boundary = "----guichet-hostile-7d2f";
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  if (file) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="piece"; filename="${file.name}"\r\nContent-Type: ${file.type}\r\n\r\n`,
      ),
      file.data,
      Buffer.from("\r\n"),
    );
  }
  if (breakIt !== "no-end") parts.push(Buffer.from(`--${boundary}--\r\n`));
  const type =
    breakIt === "no-boundary"
      ? "multipart/form-data"
      : `multipart/form-data; boundary=${breakIt === "bad-boundary" ? "autre" : boundary}`;
  return { headers: { "content-type": type }, body: () => Buffer.concat(parts) };
}

const urlencoded = (fields: Record<string, string>) => ({
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: () => Buffer.from(new URLSearchParams(fields).toString()),
});

const upload = fc.record({
  name: fc.oneof(hostileText, fc.constantFrom("justificatif.pdf", "../../x.pdf", 'a".pdf')),
  data: fc.oneof(
    fc.constant(PDF),
    fc.constant(PNG),
    fc.uint8Array({ maxLength: 256 }).map((b) => Buffer.from(b)),
    fc.constant(Buffer.alloc(0)),
  ),
  type: fc.constantFrom("application/pdf", "image/png", "text/html", "application/x-msdownload"),
});

/** Cases for the HTML pages (/demarches/..., /suivi). */
export const formCase: fc.Arbitrary<HttpCase> = fc
  .oneof(
    {
      weight: 40,
      arbitrary: hostileForm.map(({ id, fields }) => ({
        label: "formulaire au texte hostile",
        path: `/demarches/${id}`,
        ...urlencoded(fields),
      })),
    },
    {
      weight: 16,
      arbitrary: fc
        .tuple(
          hostileForm,
          fc.option(upload, { nil: null }),
          fc.constantFrom<"none" | "no-end" | "bad-boundary" | "no-boundary">(
            "none",
            "none",
            "none",
            "no-end",
            "bad-boundary",
            "no-boundary",
          ),
        )
        .map(([{ id, fields }, file, breakIt]) => ({
          label: `formulaire multipart (${breakIt})`,
          path: `/demarches/${id}`,
          ...multipart(fields, file, breakIt),
        })),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          fc.oneof(
            hostileText.map(uri),
            fc.constantFrom(
              "%ZZ",
              "..%2F..%2Fetc%2Fpasswd",
              "%00",
              "demande_generale%0d%0a",
              "ccas_aide",
              "x".repeat(3000),
            ),
          ),
          fc.constantFrom("GET", "POST"),
        )
        .map(([id, method]) => ({
          label: "démarche inconnue ou piégée",
          method,
          path: `/demarches/${id}`,
          ...(method === "POST" ? urlencoded(CITIZEN_FORM) : { headers: {} }),
        })),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          formBase,
          fc.constantFrom("application/json", "text/plain", "", "application/xml", "multipart/mixed"),
        )
        .map(([{ id, fields }, type]) => ({
          label: "type de contenu inattendu",
          path: `/demarches/${id}`,
          headers: contentType(type),
          body: () => Buffer.from(new URLSearchParams(fields).toString()),
        })),
    },
    {
      weight: 12,
      arbitrary: fc
        .tuple(hostileText, hostileEmail, fc.constantFrom("post", "token", "confirmation", "attestation"))
        .map(([numero, email, kind]) => {
          const token = uri(numero);
          if (kind === "post")
            return { label: "suivi par le formulaire", path: "/suivi", ...urlencoded({ numero, email }) };
          const path =
            kind === "token"
              ? `/suivi/r/${token}`
              : kind === "confirmation"
                ? `/demarches/envoyee/${token}`
                : `/suivi/r/${token}/attestation.pdf`;
          return { label: "jeton forgé", method: "GET", path, headers: {} };
        }),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom("urlencoded", "multipart").map((kind) => ({
        label: "corps trop gros",
        path: "/demarches/demande_generale",
        headers: {
          "content-type":
            kind === "urlencoded" ? "application/x-www-form-urlencoded" : "multipart/form-data; boundary=b",
        },
        body: () => Buffer.from(`champ_message=${"x".repeat(MAX_FILE_BYTES + 300 * 1024)}`),
      })),
    },
  )
  .map(finish("form", "/"));

// ---------------------------------------------------------------------------------------------
// Open311 GeoReport v2.

const OPEN311_SERVICES = ["signalement_voirie", "signalement_proprete", "signalement_eclairage"];
const coordinate = fc.oneof(
  fc.double({ min: -200, max: 200, noNaN: true }).map(String),
  fc.constantFrom(
    "43.2965",
    "5.3698",
    "1e400",
    "NaN",
    "-0",
    "Infinity",
    "0x1A",
    " 45 ",
    "",
    "45,5",
    "9".repeat(400),
  ),
  hostileText,
);

const open311Fields = fc
  .record(
    {
      service_code: fc.oneof(fc.constantFrom(...OPEN311_SERVICES), hostileText),
      lat: coordinate,
      long: coordinate,
      address_string: hostileText,
      description: hostileText,
      first_name: hostileText,
      last_name: hostileText,
      email: hostileEmail,
      phone: fc.oneof(fc.constant("06 12 34 56 78"), hostileText),
      media_url: fc.constant("http://127.0.0.1:1/x.png"),
      "attribute[lieu]": hostileText,
      "attribute[inconnu]": hostileText,
      api_key: fc.oneof(hostileText, fc.constant(`0123456789ab.${"A".repeat(43)}`)),
      jurisdiction_id: hostileText,
    },
    { requiredKeys: [] },
  )
  // About half of the cases are a complete, valid report with one or two of its fields made hostile.
  .chain((f) =>
    fc
      .tuple(fc.boolean(), fc.subarray(Object.keys(f), { minLength: 1, maxLength: 2 }))
      .map(([fromValid, keys]) =>
        fromValid
          ? {
              service_code: "signalement_voirie",
              description: "Lampadaire éteint",
              address_string: "2 place de la Mairie",
              first_name: "Camille",
              last_name: "Durand",
              email: "camille.durand@example.org",
              ...Object.fromEntries(keys.map((k) => [k, (f as Record<string, string>)[k]])),
            }
          : f,
      ),
  );

/** Cases for Open311 (/open311/v2/...). */
export const open311Case: fc.Arbitrary<HttpCase> = fc
  .oneof(
    {
      weight: 32,
      arbitrary: fc.tuple(open311Fields, fc.constantFrom("json", "xml")).map(([f, format]) => ({
        label: `signalement (${format})`,
        path: `/open311/v2/requests.${format}`,
        ...urlencoded(f as Record<string, string>),
      })),
    },
    {
      weight: 8,
      arbitrary: fc.tuple(open311Fields, upload).map(([f, file]) => ({
        label: "signalement avec fichier",
        ...multipart(f as Record<string, string>, file, "none"),
      })),
    },
    {
      weight: 12,
      arbitrary: fc
        .record({
          service_request_id: fc.oneof(
            hostileText,
            fc.array(hostileText, { maxLength: 5 }).map((a) => a.join(",")),
            fc.constant(
              Array.from({ length: 500 }, (_, i) => `K7M-000-${String(i).padStart(3, "0")}-X`).join(","),
            ),
          ),
          service_code: hostileText,
          status: fc.constantFrom("open", "closed", "", "'; --"),
          start_date: fc.oneof(hostileText, fc.constantFrom("2026-01-01T00:00:00Z", "9999-99-99", "")),
          end_date: hostileText,
          jurisdiction_id: fc.oneof(fc.constant(""), hostileText),
        })
        .chain((q) => fc.constantFrom("json", "xml").map((format) => ({ q, format })))
        .map(({ q, format }) => ({
          label: `liste des demandes (${format})`,
          method: "GET",
          path: `/open311/v2/requests.${format}?${new URLSearchParams(q as Record<string, string>).toString()}`,
          headers: {},
        })),
    },
    {
      weight: 8,
      arbitrary: fc
        .tuple(hostileText, fc.constantFrom(".json", ".xml", "", ".json.json", "%00.json"))
        .chain(([id, ext]) =>
          fc.constantFrom("requests", "services").map((kind) => ({
            label: `lecture d'un ${kind === "requests" ? "signalement" : "service"}`,
            method: "GET",
            path: `/open311/v2/${kind}/${uri(id)}${ext}`,
            headers: {},
          })),
        ),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(open311Fields, fc.constantFrom("application/json", "text/plain", "", "application/xml"))
        .map(([f, type]) => ({
          label: "type de contenu inattendu",
          headers: contentType(type),
          body: () => Buffer.from(JSON.stringify(f)),
        })),
    },
    {
      weight: 1,
      arbitrary: fc.constant({
        label: "corps trop gros",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: () =>
          Buffer.from(
            `service_code=signalement_voirie&description=${"x".repeat(MAX_FILE_BYTES + 128 * 1024)}`,
          ),
      }),
    },
  )
  .map(finish("open311", "/open311/v2/requests.json"));

// ---------------------------------------------------------------------------------------------
// Direct writes to the main database with an agent's credentials.

type DocMutation = { path: string[]; value: unknown; remove: boolean };

const nastyValue = fc.oneof(
  hostileText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(hostileText, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), hostileText, { maxKeys: 3 }),
  fc.constantFrom(1, 10, 100).map((d) => JSON.parse(nested(d, "array")) as unknown),
);

function leafPaths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== "object" || value === null) return [prefix];
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  for (const [k, v] of Object.entries(value)) out.push(...leafPaths(v, [...prefix, k]));
  return out;
}

function applyMutation(doc: Record<string, unknown>, m: DocMutation): Record<string, unknown> {
  let node: Record<string, unknown> = doc;
  for (const key of m.path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== "object" || next === null) return doc;
    node = next as Record<string, unknown>;
  }
  const last = m.path[m.path.length - 1]!;
  if (m.remove) delete node[last];
  else node[last] = m.value;
  return doc;
}

const SAMPLE = buildRequest({ commune: "exemple", by: "agent.exemple" });
const DOC_PATHS = [
  ...leafPaths(SAMPLE).filter((p) => p[0] !== "_id" && p[0] !== "id" && p[0] !== "tracking"),
  ["extra"],
  ["citizen", "extra"],
  ["events", "0", "extra"],
  ["_deleted"],
  ["_attachments"],
  ["_revisions"],
];
// Where people's own words go (names, address, subject, the démarche's fields): hostile text there may be valid.
const FREE_TEXT_PATHS = leafPaths(SAMPLE).filter(
  (p) =>
    typeof pathValue(SAMPLE, p) === "string" &&
    /^(citizen\.(firstName|lastName|email|address\.(line|city))|subject|fields\..+|location\.address)$/.test(
      p.join("."),
    ),
);

function pathValue(doc: unknown, path: string[]): unknown {
  let node = doc;
  for (const k of path) node = (node as Record<string, unknown> | null)?.[k];
  return node;
}

/**
 * `_attachments` as a hand-written document may carry them. Two more shapes — a non-string
 * `content_type`, `follows: true` in a JSON body — are left out: Apache CouchDB 3.4.3 itself
 * answers them 500 (function_clause); hostile-input.test.ts checks them on the embedded server.
 */
export const ATTACHMENT_SHAPES: unknown[] = [
  ["a"],
  "texte",
  5,
  null,
  { x: "y" },
  { x: 1 },
  { x: null },
  { x: {} },
  { x: { data: 5 } },
  { x: { data: ["a"], content_type: "text/plain" } },
  { x: { data: { a: 1 }, content_type: "text/plain" } },
  { x: { data: "pas du base64 !", content_type: "text/plain" } },
  { x: { stub: true } },
  { x: { stub: "oui" } },
  { x: { data: "QUJD", content_type: "text/plain" } },
  { "../x": { data: PDF.toString("base64"), content_type: "application/pdf" } },
];
export const COUCHDB_500_ATTACHMENT_SHAPES: unknown[] = [
  { x: { data: "QUJD", content_type: 5 } },
  { x: { follows: true, content_type: "text/plain", length: 3 } },
];

/** One document an agent could write by hand: a request with hostile text, broken shapes, special members. */
export type DocRecipe = {
  kind: "hostile-text" | "mutated" | "special-id" | "huge" | "deep" | "attachments";
  edits: DocMutation[];
  specialId?: string;
  /** `deep`: nesting spliced into the JSON text (deeper than a JS value can be cloned). */
  depth?: number;
  nesting?: "array" | "object";
};

/** Marks where `docJson` splices a deeply nested value. */
const DEEP = "\u0000deep\u0000";

/**
 * Nesting depths of hand-written documents. Apache CouchDB 3.4.3 hands each document to its
 * QuickJS process for validate_doc_update, which dies (SIGSEGV, 500 os_process_error) between
 * 50,000 and 100,000 levels — nothing stored, but a 5xx we cannot prevent in front of CouchDB;
 * the embedded server is held to 100,000.
 */
export const DEEP_DOC_LEVELS = { embedded: [1_000, 10_000, 100_000], couchdb: [1_000, 10_000, 50_000] };

export const docRecipeFor = (server: "embedded" | "couchdb"): fc.Arbitrary<DocRecipe> =>
  fc.oneof(
    {
      weight: 25,
      arbitrary: fc
        .array(
          fc.record({
            path: fc.constantFrom(...FREE_TEXT_PATHS),
            value: hostileText,
            remove: fc.constant(false),
          }),
          { minLength: 1, maxLength: 3 },
        )
        .map((edits): DocRecipe => ({ kind: "hostile-text", edits })),
    },
    {
      weight: 20,
      arbitrary: fc
        .array(fc.record({ path: fc.constantFrom(...DOC_PATHS), value: nastyValue, remove: fc.boolean() }), {
          minLength: 1,
          maxLength: 3,
        })
        .map((edits): DocRecipe => ({ kind: "mutated", edits })),
    },
    {
      weight: 5,
      arbitrary: fc
        .constantFrom("_design/piege", "_local/piege", "_piege", "", " ", "../x", "\u0000", "a".repeat(600))
        .map((specialId): DocRecipe => ({ kind: "special-id", edits: [], specialId })),
    },
    { weight: 1, arbitrary: fc.constant<DocRecipe>({ kind: "huge", edits: [] }) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(...ATTACHMENT_SHAPES).map(
        (value): DocRecipe => ({
          kind: "attachments",
          edits: [{ path: ["_attachments"], value, remove: false }],
        }),
      ),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...DOC_PATHS), fc.constantFrom(...DEEP_DOC_LEVELS[server]), fc.boolean())
        .map(
          ([path, depth, objects]): DocRecipe => ({
            kind: "deep",
            edits: [{ path, value: DEEP, remove: false }],
            depth,
            nesting: objects ? "object" : "array",
          }),
        ),
    },
  );

/** The document of a recipe: a fresh valid request by `agent`, then the recipe applied. */
export function docFromRecipe(r: DocRecipe, commune: string, agent: string): Record<string, unknown> {
  const base = buildRequest({ commune, by: agent }) as unknown as Record<string, unknown>;
  let doc = structuredClone(base);
  for (const m of r.edits) doc = applyMutation(doc, m);
  if (r.specialId !== undefined) doc._id = r.specialId;
  if (r.kind === "huge") (doc.citizen as Record<string, unknown>).lastName = "x".repeat(9 * 1024 * 1024);
  return doc;
}

/** The JSON text of a recipe's document, deep nesting spliced in. */
export function docJson(r: DocRecipe, doc: Record<string, unknown>): string {
  const text = JSON.stringify(doc);
  return r.depth ? text.replace(JSON.stringify(DEEP), nested(r.depth, r.nesting ?? "array")) : text;
}
