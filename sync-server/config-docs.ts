import type { DocumentScope } from "nano";
import { type Catalogue, catalogueSchema, type Demarche, type Service } from "../domain/catalogue";
import { type Commune, communeSchema } from "../domain/commune";

/**
 * How a commune's settings and catalogue are stored in its -config database: one document each,
 * so two admins editing different démarches never conflict.
 *   commune                  { type: "commune", ...Commune }
 *   service:<id>             { type: "service", ...Service }
 *   demarche:<id>            { type: "demarche", ...Demarche }
 */
export const COMMUNE_DOC_ID = "commune";
export const serviceDocId = (id: string): string => `service:${id}`;
export const demarcheDocId = (id: string): string => `demarche:${id}`;

export type ConfigDoc =
  | ({ _id: string; type: "commune" } & Commune)
  | ({ _id: string; type: "service" } & Service)
  | ({ _id: string; type: "demarche" } & Demarche);

export function communeDoc(commune: Commune): ConfigDoc {
  return { _id: COMMUNE_DOC_ID, type: "commune", ...commune };
}

export function catalogueDocs(catalogue: Catalogue): ConfigDoc[] {
  return [
    ...catalogue.services.map((s): ConfigDoc => ({ _id: serviceDocId(s.id), type: "service", ...s })),
    ...catalogue.demarches.map((d): ConfigDoc => ({ _id: demarcheDocId(d.id), type: "demarche", ...d })),
  ];
}

type StoredDoc = { _id: string; _rev?: string; type?: string } & Record<string, unknown>;

const strip = (doc: StoredDoc): Record<string, unknown> => {
  const { _id: _i, _rev: _r, type: _t, ...rest } = doc;
  return rest;
};

/** Reads settings and catalogue back; undefined parts when not written yet. Throws on invalid data. */
export async function readCommuneConfig(
  db: DocumentScope<unknown>,
): Promise<{ commune: Commune | undefined; catalogue: Catalogue | undefined }> {
  const all = await db.list({ include_docs: true });
  const docs = all.rows.map((r) => r.doc as StoredDoc | undefined).filter((d): d is StoredDoc => !!d);
  const communeStored = docs.find((d) => d._id === COMMUNE_DOC_ID);
  const services = docs.filter((d) => d.type === "service").map(strip);
  const demarches = docs.filter((d) => d.type === "demarche").map(strip);
  return {
    commune: communeStored ? communeSchema.parse(strip(communeStored)) : undefined,
    catalogue: services.length > 0 ? catalogueSchema.parse({ services, demarches }) : undefined,
  };
}
