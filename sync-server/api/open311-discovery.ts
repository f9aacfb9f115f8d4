import type { Catalogue } from "../../domain/catalogue";
import type { Commune } from "../../domain/commune";

export const GEOREPORT_V2_SPEC = "http://wiki.open311.org/GeoReport_v2";

// When this server first saw each catalogue: a new one (an admin's change) is a new changeset.
const seen = new WeakMap<Catalogue, string>();

/** GeoReport's `changeset`: tells clients to refresh their cached service list and definitions. */
export function catalogueChangeset(catalogue: Catalogue, now: () => Date): string {
  let at = seen.get(catalogue);
  if (!at) {
    at = now()
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z");
    seen.set(catalogue, at);
  }
  return at;
}

/** The Service Discovery document (wiki.open311.org/Service_Discovery) of one commune. */
export function discoveryDocument(opts: {
  commune: Commune;
  changeset: string;
  endpointUrl: string;
  requireKey: boolean;
}) {
  const c = opts.commune;
  return {
    changeset: opts.changeset,
    contact: `${c.name} : ${c.email}, ${c.phone}`,
    key_service: opts.requireKey
      ? `Clé d'API obligatoire pour déposer une demande : demandez-la à ${c.email}.`
      : `Clé d'API facultative (elle fait connaître votre application aux agents) : demandez-la à ${c.email}.`,
    endpoints: [
      {
        specification: GEOREPORT_V2_SPEC,
        url: opts.endpointUrl,
        changeset: opts.changeset,
        type: "production",
        formats: ["text/xml", "application/json"],
      },
    ],
  };
}
