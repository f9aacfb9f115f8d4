import type { Catalogue, Demarche, FieldDef } from "../../domain/catalogue";
import { findService } from "../../domain/catalogue";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber, normalizeTrackingInput } from "../../domain/tracking-number";
import { PUBLIC_STATUS } from "../../domain/workflow";
import { readForm } from "../http/body";
import type { CouchDb } from "../http/couch-db";
import { HttpError } from "../http/errors";
import type { RateLimiter } from "../http/rate-limit";
import { sendJson } from "../http/respond";
import { type Ctx, Router } from "../http/router";
import { type IntakeDeps, onlineDemarches, submit } from "./intake";
import { MAX_FILE_BYTES } from "./submission-schema";

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), JSON only, mapped onto the
 * catalogue's signalements: online démarches that need a place and aim at no decision. Lists
 * and lookups give public fields only: no name, no contact, no free text.
 */
export type Open311Deps = {
  catalogue: () => Catalogue;
  intake: IntakeDeps;
  mainDb: CouchDb;
  submitLimiter: RateLimiter | null;
};

export const OPEN311_INDEX = {
  ddoc: "idx-open311",
  name: "type-demarche-receivedAt",
  fields: ["type", "demarche", "receivedAt"],
};

export const open311Services = (c: Catalogue): Demarche[] =>
  onlineDemarches(c).filter((d) => d.needsLocation && d.rule.kind === "none");

const DATATYPES: Record<FieldDef["kind"], string> = {
  text: "string",
  textarea: "text",
  date: "datetime",
  select: "singlevaluelist",
  number: "number",
  email: "string",
  phone: "string",
  boolean: "singlevaluelist",
};

/** Fields GeoReport v2 carries natively; the others become `attribute[...]`. */
const NATIVE: Record<string, string> = { description: "description", lieu: "address_string" };

class Open311Error extends HttpError {
  constructor(status: number, descriptions: string[]) {
    super(
      status,
      descriptions.join(" "),
      descriptions.map((message) => ({ field: "", message })),
    );
  }
}

function jsonOnly(file: string, what: string): string {
  const m = /^(.+)\.(json|xml)$/.exec(file);
  if (!m) throw new Open311Error(404, [`${what} introuvable.`]);
  if (m[2] !== "json")
    throw new Open311Error(400, ["Seul le format JSON est proposé : utilisez l'extension .json."]);
  return m[1] ?? "";
}

const PUBLIC_FIELDS = [
  "_id",
  "tracking",
  "demarche",
  "status",
  "open",
  "service",
  "receivedAt",
  "updatedAt",
  "location",
];

export function open311Router(deps: Open311Deps): Router {
  const r = new Router();
  const service = (code: string) => open311Services(deps.catalogue()).find((d) => d.id === code);

  r.get("/open311/v2/services.json", (ctx) => {
    sendJson(
      ctx.res,
      200,
      open311Services(deps.catalogue()).map((d) => ({
        service_code: d.id,
        service_name: d.label,
        description: d.description,
        metadata: true,
        type: "realtime",
        keywords: d.category,
        group: "Signalements",
      })),
    );
  });

  r.get("/open311/v2/services/:file", (ctx) => {
    const d = service(jsonOnly(ctx.params.file ?? "", "Service"));
    if (!d) throw new Open311Error(404, ["Service introuvable."]);
    sendJson(ctx.res, 200, {
      service_code: d.id,
      attributes: d.fields
        .filter((f) => !NATIVE[f.key])
        .map((f, i) => ({
          variable: true,
          code: f.key,
          datatype: DATATYPES[f.kind],
          required: f.required,
          datatype_description: f.help ?? "",
          order: i + 1,
          description: f.label,
          ...(f.kind === "select"
            ? { values: (f.options ?? []).map((o) => ({ key: o.value, name: o.label })) }
            : f.kind === "boolean"
              ? {
                  values: [
                    { key: "true", name: "Oui" },
                    { key: "false", name: "Non" },
                  ],
                }
              : {}),
        })),
    });
  });

  r.post("/open311/v2/requests.json", async (ctx) => {
    deps.submitLimiter?.hit(ctx.ip);
    const form = await readForm(ctx.req, MAX_FILE_BYTES + 64 * 1024);
    const p = form.fields;
    const d = service(p.service_code ?? "");
    if (!d) throw new Open311Error(400, ["service_code : service inconnu (voir services.json)."]);
    const lat = p.lat !== undefined && p.lat !== "" ? Number(p.lat) : undefined;
    const lng = p.long !== undefined && p.long !== "" ? Number(p.long) : undefined;
    if ((lat !== undefined && !Number.isFinite(lat)) || (lng !== undefined && !Number.isFinite(lng))) {
      throw new Open311Error(400, ["lat, long : coordonnées numériques attendues (degrés décimaux)."]);
    }
    const place =
      p.address_string?.trim() || (lat !== undefined && lng !== undefined ? `${lat}, ${lng}` : "");
    const fields: Record<string, unknown> = {};
    for (const f of d.fields) {
      if (f.key === "lieu") fields.lieu = place;
      else if (f.key === "description") fields.description = p.description ?? "";
      else if (p[`attribute[${f.key}]`] !== undefined) {
        const v = p[`attribute[${f.key}]`] ?? "";
        fields[f.key] = f.kind === "boolean" ? v === "true" : v;
      }
    }
    const location = {
      ...(p.address_string?.trim() ? { address: p.address_string.trim() } : {}),
      ...(lat !== undefined && lng !== undefined ? { lat, lng } : {}),
    };
    const submission = {
      demarche: d.id,
      fields,
      citizen: {
        firstName: (p.first_name ?? "").trim(),
        lastName: (p.last_name ?? "").trim(),
        ...(p.email?.trim() ? { email: p.email.trim() } : {}),
        ...(p.phone?.trim() ? { phone: p.phone.trim() } : {}),
      },
      ...(Object.keys(location).length > 0 ? { location } : {}),
    };
    const media = form.files.find((f) => f.field === "media");
    const result = await submit(
      deps.intake,
      submission,
      media ? [{ name: media.name, data: media.data }] : [],
      {
        requirePostalAddress: false,
      },
    );
    if (!result.ok)
      throw new Open311Error(
        400,
        result.issues.map((i) => `${open311Name(i.field)} : ${i.message}`),
      );
    const notices = ["Demande enregistrée. Un accusé vous est envoyé par courriel."];
    if (p.media_url)
      notices.push(
        "L'image donnée par adresse (media_url) n'est pas récupérée : joignez le fichier (champ media).",
      );
    sendJson(ctx.res, 201, [
      {
        service_request_id: formatTrackingNumber(result.request.tracking),
        service_notice: notices.join(" "),
        account_id: null,
      },
    ]);
  });

  r.get("/open311/v2/requests.json", async (ctx) => {
    const q = ctx.url.searchParams;
    const services = open311Services(deps.catalogue());
    const ids = (q.get("service_request_id") ?? "").split(",").map(normalizeTrackingInput).filter(Boolean);
    let docs: GuichetRequest[];
    if (ids.length > 0) {
      const rows = await deps.mainDb.allDocs<GuichetRequest>({ keys: ids.slice(0, 100), include_docs: true });
      docs = rows.rows.map((row) => row.doc).filter((doc): doc is GuichetRequest => !!doc);
    } else {
      const codes = q.get("service_code") ? [q.get("service_code") ?? ""] : services.map((s) => s.id);
      const start =
        dateParam(q.get("start_date"), "start_date") ?? new Date(Date.now() - 90 * 86_400_000).toISOString();
      const end = dateParam(q.get("end_date"), "end_date") ?? "9999";
      docs = [];
      for (const code of codes) {
        const res = await deps.mainDb.find<GuichetRequest>({
          selector: { type: "request", demarche: code, receivedAt: { $gte: start, $lte: end } },
          sort: [{ type: "desc" }, { demarche: "desc" }, { receivedAt: "desc" }],
          use_index: [OPEN311_INDEX.ddoc, OPEN311_INDEX.name],
          fields: PUBLIC_FIELDS,
          limit: 200,
        });
        docs.push(...res.docs);
      }
    }
    const status = q.get("status");
    const list = docs
      .filter((doc) => doc.type === "request" || doc.tracking)
      .filter((doc) => services.some((s) => s.id === doc.demarche))
      .filter((doc) => !status || (status === "open") === doc.open)
      .sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : -1))
      .slice(0, 200)
      .map((doc) => publicItem(doc, deps.catalogue()));
    sendJson(ctx.res, 200, list);
  });

  r.get("/open311/v2/requests/:file", async (ctx) => {
    const id = normalizeTrackingInput(jsonOnly(ctx.params.file ?? "", "Demande"));
    const doc = /^[0-9A-Z]{8}$/.test(id) ? await deps.mainDb.get<GuichetRequest>(id) : null;
    // Requests of other démarches exist but are not public: same answer as a missing one.
    if (!doc || !open311Services(deps.catalogue()).some((s) => s.id === doc.demarche)) {
      throw new Open311Error(404, ["Demande introuvable."]);
    }
    sendJson(ctx.res, 200, [publicItem(doc, deps.catalogue())]);
  });

  return r;
}

function dateParam(v: string | null, name: string): string | undefined {
  if (!v) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Open311Error(400, [`${name} : date invalide (format ISO 8601 attendu).`]);
  return new Date(t).toISOString();
}

function open311Name(path: string): string {
  const map: Record<string, string> = {
    "citizen.firstName": "first_name",
    "citizen.lastName": "last_name",
    "citizen.email": "email",
    "citizen.phone": "phone",
    "fields.description": "description",
    "fields.lieu": "address_string",
    "location.address": "address_string",
    "location.lat": "lat",
    "location.lng": "long",
    attachments: "media",
  };
  if (map[path]) return map[path];
  if (path.startsWith("fields.")) return `attribute[${path.slice(7)}]`;
  return path || "requête";
}

function publicItem(doc: GuichetRequest, catalogue: Catalogue) {
  const d = catalogue.demarches.find((x) => x.id === doc.demarche);
  return {
    service_request_id: formatTrackingNumber(doc.tracking),
    status: doc.open ? "open" : "closed",
    status_notes: PUBLIC_STATUS[doc.status],
    service_name: d?.label ?? doc.demarche,
    service_code: doc.demarche,
    agency_responsible: findService(catalogue, doc.service)?.name ?? "",
    requested_datetime: doc.receivedAt,
    updated_datetime: doc.updatedAt,
    address: doc.location?.address ?? "",
    ...(doc.location?.lat !== undefined && doc.location?.lng !== undefined
      ? { lat: doc.location.lat, long: doc.location.lng }
      : {}),
  };
}

/** GeoReport v2 errors: `[{ code, description }]`, in French; everything else as HttpError says. */
export function renderOpen311Error(ctx: Ctx, err: HttpError): void {
  sendJson(
    ctx.res,
    err.status,
    err.errors.map((e) => ({ code: err.status, description: e.message })),
  );
}
