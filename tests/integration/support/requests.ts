import { findDemarche } from "../../../domain/catalogue";
import type { Channel } from "../../../domain/channels";
import { DEMO_COMMUNE } from "../../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { newEventId, withEvents } from "../../../domain/history";
import { newRequest } from "../../../domain/new-request";
import type { GuichetRequest, RequestEvent } from "../../../domain/request";
import { makeTrackingNumber } from "../../../domain/tracking-number";

/** A request as stored in CouchDB: the domain document plus `_id` (and `_rev` once stored). */
export type RequestDoc = GuichetRequest & { _id: string; _rev?: string };

const INPUTS: Record<string, { fields: GuichetRequest["fields"]; location?: { address: string } }> = {
  acte_naissance: {
    fields: {
      personne: "Martin Léa Jeanne",
      dateActe: "1990-05-17",
      typeCopie: "copie_integrale",
      delivrance: "guichet",
    },
  },
  police_doleance: {
    fields: { faits: "Stationnement gênant devant le portail", lieu: "12 rue des Lilas" },
    location: { address: "12 rue des Lilas" },
  },
  ccas_aide: { fields: { nature: "alimentaire", situation: "Perte d'emploi récente" } },
};

let sequence = 1;

/** A valid new request built by the domain (newRequest), ready to PUT. */
export function buildRequest(opts: {
  commune: string;
  by: string;
  workstation?: string;
  demarche?: keyof typeof INPUTS;
  channel?: Channel;
}): RequestDoc {
  const workstation = opts.workstation ?? "K7M";
  const demarche = findDemarche(DEFAULT_CATALOGUE, opts.demarche ?? "acte_naissance");
  if (!demarche) throw new Error(`démarche inconnue ${opts.demarche}`);
  const input = INPUTS[demarche.id];
  if (!input) throw new Error(`pas de saisie type pour ${demarche.id}`);
  const res = newRequest(
    {
      demarche: demarche.id,
      channel: opts.channel ?? "guichet",
      subject: demarche.label,
      fields: input.fields,
      citizen: { firstName: "Léa", lastName: "Martin", email: "lea.martin@example.org" },
      ...(input.location ? { location: input.location } : {}),
      attachments: [],
    },
    {
      commune: opts.commune,
      tracking: makeTrackingNumber(workstation, sequence++),
      demarche,
      policy: DEMO_COMMUNE.policy,
      by: opts.by,
      workstation,
      now: new Date().toISOString(),
    },
  );
  if (!res.ok) throw new Error(JSON.stringify(res.issues));
  return { _id: res.request.id, ...res.request };
}

type EventBody<K extends RequestEvent["kind"]> = Omit<
  Extract<RequestEvent, { kind: K }>,
  "id" | "at" | "by" | "workstation" | "kind"
>;

/** A history event by `by`, a little after the previous ones. */
export function event<K extends RequestEvent["kind"]>(kind: K, by: string, body: EventBody<K>): RequestEvent {
  const at = new Date(Date.now() + 1000).toISOString();
  return { id: newEventId(at, "K7M"), at, by, workstation: "K7M", kind, ...body } as RequestEvent;
}

/** Adds events the way clients do (domain withEvents: union, projection recomputed). */
export function withNewEvents(doc: RequestDoc, ...events: RequestEvent[]): RequestDoc {
  const { _id, _rev, ...request } = doc;
  return { _id, ...(_rev ? { _rev } : {}), ...withEvents(request, events) };
}
