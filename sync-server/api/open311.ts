import type { Catalogue, Demarche, FieldDef } from "../../domain/catalogue";
import { findService } from "../../domain/catalogue";
import type { GuichetRequest } from "../../domain/request";
import { formatTrackingNumber, normalizeTrackingInput } from "../../domain/tracking-number";
import { PUBLIC_STATUS } from "../../domain/workflow";
import type { CouchDb } from "../couch/couch-db";
import { readForm } from "../http/body";
import type { RateLimiter } from "../http/rate-limit";
import { send } from "../http/respond";
import { type Ctx, Router } from "../http/router";
import type { ApiKeys } from "../services/api-keys";
import { type IntakeDeps, onlineDemarches, submit } from "../services/intake";
import { findOpen311Requests, type Open311Filter } from "../services/open311-listing";
import { MAX_FILE_BYTES } from "../services/submission-schema";
import { catalogueChangeset, discoveryDocument } from "./open311-discovery";
import { Open311Error, type Open311Format, sendOpen311, splitFormat } from "./open311-format";
import { mediaPath, publishedPhoto } from "./open311-media";

/**
 * Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2), in XML and JSON, mapped onto the
 * catalogue's signalements: online démarches that need a place and aim at no decision. Lists
 * and lookups give public fields only: no name, no contact, no free text.
 */

/** What Open311 needs of one commune. */
export type Open311Commune = {
  id: string;
  intake: IntakeDeps;
  /** The requests database, as the portal account. */
  mainDb: CouchDb;
  keys: ApiKeys;
};

/** `jurisdiction_id` → commune; wired to the commune registry when the server hosts several. */
export type Jurisdictions = {
  communeFor(jurisdictionId: string): Open311Commune | undefined;
  /** The commune when there is only one (then `jurisdiction_id` may be left out), else undefined. */
  single(): Open311Commune | undefined;
};

/** One commune: `jurisdiction_id` optional, and when given it must be the commune's id. */
export const singleJurisdiction = (c: Open311Commune): Jurisdictions => ({
  communeFor: (id) => (id === c.id ? c : undefined),
  single: () => c,
});

/**
 * Every commune the process serves, from the default site's address: `jurisdiction_id` names one,
 * and is required as soon as there is more than one (GeoReport v2). A commune reached by its own
 * host name or /c/<id>/ prefix uses `singleJurisdiction` instead: the address already names it.
 */
export const servedJurisdictions = (served: ReadonlyMap<string, Open311Commune>): Jurisdictions => ({
  communeFor: (id) => served.get(id),
  single: () => (served.size === 1 ? [...served.values()][0] : undefined),
});

export type Open311Deps = {
  jurisdictions: Jurisdictions;
  submitLimiter: RateLimiter | null;
  /** The server's public address (media_url, discovery). */
  publicUrl: () => string;
  now: () => Date;
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

/** GeoReport's status filter values. */
const STATUS_VALUES = new Set(["open", "closed"]);

function resolve(deps: Open311Deps, jurisdictionId: string | null | undefined): Open311Commune {
  const id = jurisdictionId?.trim();
  if (id) {
    const c = deps.jurisdictions.communeFor(id);
    if (!c)
      throw new Open311Error(404, [`jurisdiction_id : la collectivité « ${id} » n'est pas servie ici.`]);
    return c;
  }
  const only = deps.jurisdictions.single();
  if (!only)
    throw new Open311Error(400, [
      "jurisdiction_id : obligatoire, ce serveur sert plusieurs communes (voir discovery).",
    ]);
  return only;
}

const fromQuery = (deps: Open311Deps, ctx: Ctx) => resolve(deps, ctx.url.searchParams.get("jurisdiction_id"));

export function open311Router(deps: Open311Deps): Router {
  const r = new Router();
  const serviceOf = (c: Open311Commune, code: string) =>
    open311Services(c.intake.catalogue()).find((d) => d.id === code);

  const discovery = async (ctx: Ctx) => {
    const { name, format } = splitFormat(ctx.params.file ?? "", "Document");
    if (name !== "discovery") throw new Open311Error(404, ["Adresse introuvable."]);
    const c = fromQuery(deps, ctx);
    const jurisdiction = ctx.url.searchParams.get("jurisdiction_id") ? `?jurisdiction_id=${c.id}` : "";
    sendOpen311(ctx, format, 200, {
      kind: "object",
      root: "discovery",
      value: discoveryDocument({
        commune: c.intake.commune(),
        changeset: catalogueChangeset(c.intake.catalogue(), deps.now),
        endpointUrl: `${deps.publicUrl()}/open311/v2${jurisdiction}`,
        requireKey: (await c.keys.settings()).requireKey,
      }),
    });
  };
  r.get("/open311/:file", discovery);
  r.get("/open311/v2/:file", async (ctx) => {
    const file = ctx.params.file ?? "";
    if (file.startsWith("discovery.")) return discovery(ctx);
    if (file.startsWith("requests.")) return listRequests(deps, ctx);
    const { name, format } = splitFormat(file, "Adresse");
    if (name !== "services") throw new Open311Error(404, ["Adresse introuvable."]);
    const c = fromQuery(deps, ctx);
    sendOpen311(ctx, format, 200, {
      kind: "list",
      root: "services",
      item: "service",
      items: open311Services(c.intake.catalogue()).map(serviceItem),
    });
  });

  r.get("/open311/v2/services/:file", (ctx) => {
    const { name, format } = splitFormat(ctx.params.file ?? "", "Service");
    const d = serviceOf(fromQuery(deps, ctx), name);
    if (!d) throw new Open311Error(404, ["service_code : service introuvable (voir services.xml)."]);
    sendOpen311(ctx, format, 200, { kind: "object", root: "service_definition", value: definition(d) });
  });

  r.post("/open311/v2/:file", async (ctx) => {
    const { name, format } = splitFormat(ctx.params.file ?? "", "Adresse");
    if (name !== "requests") throw new Open311Error(404, ["Adresse introuvable."]);
    await postRequest(deps, ctx, format);
  });

  r.get("/open311/v2/requests/:file", async (ctx) => {
    const { name, format } = splitFormat(ctx.params.file ?? "", "Demande");
    const c = fromQuery(deps, ctx);
    const id = normalizeTrackingInput(name);
    const doc = /^[0-9A-Z]{8}$/.test(id) ? await c.mainDb.get<GuichetRequest>(id) : null;
    // Requests of other démarches exist but are not public: same answer as a missing one.
    if (!doc || !open311Services(c.intake.catalogue()).some((s) => s.id === doc.demarche)) {
      throw new Open311Error(404, ["service_request_id : demande introuvable."]);
    }
    sendOpen311(ctx, format, 200, {
      kind: "list",
      root: "service_requests",
      item: "request",
      items: [publicItem(doc, c, deps.publicUrl())],
    });
  });

  r.get("/open311/v2/media/:commune/:request/:file", async (ctx) => {
    const c = deps.jurisdictions.communeFor(ctx.params.commune ?? "");
    const doc =
      c && /^[0-9A-Z]{8}$/.test(ctx.params.request ?? "")
        ? await c.mainDb.get<GuichetRequest>(ctx.params.request ?? "")
        : null;
    const photo =
      c && doc && open311Services(c.intake.catalogue()).some((s) => s.id === doc.demarche)
        ? publishedPhoto(doc)
        : undefined;
    // Unchecked, withdrawn or unknown photos all answer the same.
    if (!c || !doc || !photo || mediaPath(c.id, doc._id, photo) !== ctx.url.pathname) {
      throw new Open311Error(404, ["Photo introuvable ou pas encore vérifiée par la mairie."]);
    }
    const data = await c.intake.attachments.get(photo.sha256);
    if (!data) throw new Open311Error(404, ["Photo introuvable ou pas encore vérifiée par la mairie."]);
    send(ctx.res, 200, photo.mime, data, {
      "Cache-Control": "public, max-age=300",
      "Content-Disposition": "inline",
    });
  });

  return r;
}

function serviceItem(d: Demarche) {
  return {
    service_code: d.id,
    service_name: d.label,
    description: d.description,
    metadata: true,
    type: "realtime",
    keywords: d.category,
    group: "Signalements",
  };
}

function definition(d: Demarche) {
  return {
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
  };
}

async function postRequest(deps: Open311Deps, ctx: Ctx, format: Open311Format): Promise<void> {
  deps.submitLimiter?.hit(ctx.ip);
  const form = await readForm(ctx.req, MAX_FILE_BYTES + 64 * 1024);
  const p = form.fields;
  const c = resolve(deps, p.jurisdiction_id ?? ctx.url.searchParams.get("jurisdiction_id"));
  const application = await checkKey(c, p.api_key ?? ctx.url.searchParams.get("api_key") ?? "");
  const d = open311Services(c.intake.catalogue()).find((x) => x.id === (p.service_code ?? ""));
  if (!d) throw new Open311Error(400, ["service_code : service inconnu (voir services.xml)."]);
  const lat = p.lat !== undefined && p.lat !== "" ? Number(p.lat) : undefined;
  const lng = p.long !== undefined && p.long !== "" ? Number(p.long) : undefined;
  if ((lat !== undefined && !Number.isFinite(lat)) || (lng !== undefined && !Number.isFinite(lng))) {
    throw new Open311Error(400, ["lat, long : coordonnées numériques attendues (degrés décimaux)."]);
  }
  const place = p.address_string?.trim() || (lat !== undefined && lng !== undefined ? `${lat}, ${lng}` : "");
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
  const result = await submit(c.intake, submission, media ? [{ name: media.name, data: media.data }] : [], {
    requirePostalAddress: false,
    ...(application ? { application } : {}),
  });
  if (!result.ok)
    throw new Open311Error(
      400,
      result.issues.map((i) => `${open311Name(i.field)} : ${i.message}`),
    );
  const notices = ["Demande enregistrée. Un accusé vous est envoyé par courriel."];
  if (media) notices.push("La photo sera visible (media_url) après vérification par un agent.");
  if (p.media_url)
    notices.push(
      "L'image donnée par adresse (media_url) n'est pas récupérée : joignez le fichier (champ media).",
    );
  sendOpen311(ctx, format, 201, {
    kind: "list",
    root: "service_requests",
    item: "request",
    items: [
      {
        service_request_id: formatTrackingNumber(result.request.tracking),
        service_notice: notices.join(" "),
        account_id: null,
      },
    ],
  });
}

/** A given key must be valid; none at all is fine unless the commune requires keys. */
async function checkKey(
  c: Open311Commune,
  key: string,
): Promise<{ keyId: string; name: string } | undefined> {
  if (!key.trim()) {
    if ((await c.keys.settings()).requireKey)
      throw new Open311Error(403, [
        "api_key : clé d'API obligatoire pour déposer une demande auprès de cette commune.",
      ]);
    return undefined;
  }
  const app = await c.keys.verify(key);
  if (!app) throw new Open311Error(403, ["api_key : clé d'API invalide ou révoquée."]);
  return app;
}

async function listRequests(deps: Open311Deps, ctx: Ctx): Promise<void> {
  const { name, format } = splitFormat(ctx.params.file ?? "", "Adresse");
  if (name !== "requests") throw new Open311Error(404, ["Adresse introuvable."]);
  const c = fromQuery(deps, ctx);
  const services = open311Services(c.intake.catalogue());
  const docs = await findOpen311Requests(
    c.mainDb,
    new Set(services.map((s) => s.id)),
    listFilter(ctx.url.searchParams, services, deps.now()),
  );
  const list = docs.map((doc) => publicItem(doc, c, deps.publicUrl()));
  sendOpen311(ctx, format, 200, { kind: "list", root: "service_requests", item: "request", items: list });
}

/** The query string of a listing, checked, with the spec's defaults (the last 90 days, every service). */
function listFilter(q: URLSearchParams, services: Demarche[], now: Date): Open311Filter {
  const statuses = listParam(q.get("status"));
  const unknownStatus = statuses.find((s) => !STATUS_VALUES.has(s));
  if (unknownStatus) throw new Open311Error(400, [`status : « ${unknownStatus} » inconnu (open ou closed).`]);
  const ids = listParam(q.get("service_request_id")).map(normalizeTrackingInput).filter(Boolean);
  if (ids.length > 0) return { ids };
  const wanted = listParam(q.get("service_code"));
  const end = dateParam(q.get("end_date"), "end_date");
  const start =
    dateParam(q.get("start_date"), "start_date") ??
    new Date(Date.parse(end ?? now.toISOString()) - 90 * 86_400_000).toISOString();
  if (end && end < start) throw new Open311Error(400, ["end_date : doit suivre start_date."]);
  return {
    codes: wanted.length > 0 ? wanted : services.map((s) => s.id),
    start,
    end,
    statuses: statuses as ("open" | "closed")[],
  };
}

/** `a,b` or `a, b` → ["a", "b"] (the spec's "comma delimited"). */
const listParam = (v: string | null): string[] =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

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

function publicItem(doc: GuichetRequest, c: Open311Commune, publicUrl: string) {
  const catalogue = c.intake.catalogue();
  const d = catalogue.demarches.find((x) => x.id === doc.demarche);
  const photo = publishedPhoto(doc);
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
    ...(photo ? { media_url: `${publicUrl}${mediaPath(c.id, doc.tracking, photo)}` } : {}),
  };
}

export { renderOpen311Error } from "./open311-format";
