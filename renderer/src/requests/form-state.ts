import type { Demarche } from "../../../domain/catalogue";
import type { Channel } from "../../../domain/channels";
import { parisDate } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import type { PendingAttachment } from "../../db/attachments";

/** What the agent has typed so far, as strings (the domain validates and converts). */
export type FormState = {
  channel: Channel;
  demarcheId: string;
  subject: string;
  citizen: {
    lastName: string;
    firstName: string;
    email: string;
    phone: string;
    line: string;
    postcode: string;
    city: string;
  };
  fields: Record<string, string | boolean>;
  /** The place of a démarche that needs one but has no "lieu" field of its own. */
  place: string;
  postmarkOn: string;
  receivedOn: string;
  filedBy: { on: boolean; name: string; relation: string };
  attachments: PendingAttachment[];
};

export function emptyForm(channel: Channel): FormState {
  return {
    channel,
    demarcheId: "",
    subject: "",
    citizen: { lastName: "", firstName: "", email: "", phone: "", line: "", postcode: "", city: "" },
    fields: {},
    place: "",
    postmarkOn: "",
    receivedOn: parisDate(new Date().toISOString()),
    filedBy: { on: false, name: "", relation: "" },
    attachments: [],
  };
}

/** Signalements carry their place as a field named "lieu": it is the request's location too. */
export const PLACE_FIELD = "lieu";
export const hasPlaceField = (d: Demarche): boolean => d.fields.some((f) => f.key === PLACE_FIELD);

export function placeOf(form: FormState, d: Demarche | undefined): string {
  if (!d?.needsLocation) return "";
  const v = hasPlaceField(d) ? form.fields[PLACE_FIELD] : form.place;
  return typeof v === "string" ? v.trim() : "";
}

const opt = <K extends string>(key: K, v: string) =>
  v.trim() ? ({ [key]: v.trim() } as Record<K, string>) : {};

/** The request content newRequest validates: one shape for every door. */
export function toRequestInput(form: FormState, d: Demarche | undefined): Record<string, unknown> {
  const c = form.citizen;
  const hasAddress = [c.line, c.postcode, c.city].some((v) => v.trim());
  const fields: Record<string, string | boolean> = {};
  for (const def of d?.fields ?? []) {
    const v = form.fields[def.key];
    fields[def.key] = def.kind === "boolean" ? v === true : typeof v === "string" ? v : "";
  }
  const place = placeOf(form, d);
  return {
    demarche: d?.id ?? "",
    channel: form.channel,
    subject: form.subject.trim() || d?.label || "",
    fields,
    citizen: {
      lastName: c.lastName.trim(),
      firstName: c.firstName.trim(),
      ...opt("email", c.email),
      ...opt("phone", c.phone),
      ...(hasAddress
        ? { address: { line: c.line.trim(), postcode: c.postcode.trim(), city: c.city.trim() } }
        : {}),
    },
    ...(form.filedBy.on
      ? { filedBy: { name: form.filedBy.name.trim(), relation: form.filedBy.relation.trim() } }
      : {}),
    ...(place ? { location: { address: place } } : {}),
    ...(form.channel === "courrier" && form.postmarkOn ? { postmarkOn: form.postmarkOn } : {}),
    attachments: form.attachments.map((a) => a.meta),
  };
}

/** A stored request back into the form, to correct what the server refused. */
export function formFromRequest(r: GuichetRequest, d: Demarche | undefined): FormState {
  const fields: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(r.fields)) fields[k] = typeof v === "boolean" ? v : String(v);
  const c = r.citizen;
  return {
    channel: r.channel,
    demarcheId: r.demarche,
    subject: r.subject,
    citizen: {
      lastName: c.lastName,
      firstName: c.firstName,
      email: c.email ?? "",
      phone: c.phone ?? "",
      line: c.address?.line ?? "",
      postcode: c.address?.postcode ?? "",
      city: c.address?.city ?? "",
    },
    fields,
    place: d && !hasPlaceField(d) ? (r.location?.address ?? "") : "",
    postmarkOn: r.postmarkOn ?? "",
    receivedOn: r.receivedOn,
    filedBy: { on: !!r.filedBy, name: r.filedBy?.name ?? "", relation: r.filedBy?.relation ?? "" },
    attachments: [],
  };
}
