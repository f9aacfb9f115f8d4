import { type GuichetRequest, requestSchema, SCHEMA_VERSION } from "./request";

/**
 * Stored documents carry `schemaVersion`. Each step turns version n into n+1; a reader
 * migrates what it reads before validating it. Version 0 is the pre-release shape of the
 * first pilot (one `citizenName` string, channel "web"), kept here as the worked example.
 */
type Doc = Record<string, unknown>;
const STEPS: Record<number, (doc: Doc) => Doc> = {
  0: (doc) => {
    const { citizenName, ...rest } = doc as Doc & { citizenName?: string };
    const [lastName = "", ...first] = String(citizenName ?? "")
      .trim()
      .split(/\s+/);
    const citizen = {
      ...((rest.citizen as Doc | undefined) ?? {}),
      lastName,
      firstName: first.join(" ") || "-",
    };
    return {
      ...rest,
      citizen,
      channel: rest.channel === "web" ? "en_ligne" : rest.channel,
      schemaVersion: 1,
    };
  },
};

export function migrateRequest(input: unknown): GuichetRequest {
  let doc = input as Doc;
  let version = typeof doc.schemaVersion === "number" ? doc.schemaVersion : 0;
  if (version > SCHEMA_VERSION) {
    throw new Error(
      `Document ${String(doc.id)} en version ${version}, plus récente que cette application : mettez-la à jour.`,
    );
  }
  while (version < SCHEMA_VERSION) {
    const step = STEPS[version];
    if (!step) throw new Error(`Aucune migration depuis la version ${version}.`);
    doc = step(doc);
    version += 1;
  }
  return requestSchema.parse(doc);
}
