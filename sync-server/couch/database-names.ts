import type { Catalogue } from "../../domain/catalogue";
import { DEFAULT_CATALOGUE } from "../../domain/default-catalogue";

/** The databases of one commune (see `databaseNames`). */
export type CommuneDatabases = {
  /** Every non-sensitive request. */
  main: string;
  /** Commune settings and catalogue: read by all members, written by admins. */
  config: string;
  /** Immediate answers at the counter ("réponses immédiates"). */
  log: string;
  /** One database per sensitive service, by service id. */
  sensitive: Record<string, string>;
  /** All of the above. */
  all: string[];
};

export type DatabaseKind = "main" | "config" | "log" | "sensitive";

export const mainDatabaseName = (commune: string): string => `guichet-${commune}`;
export const sensitiveDatabaseName = (commune: string, service: string): string =>
  `guichet-${commune}-s-${service}`;

/** Sensitive services of a catalogue (sorted: generated functions must not depend on catalogue order). */
export const sensitiveServices = (catalogue: Catalogue): string[] =>
  catalogue.services
    .filter((s) => s.sensitive)
    .map((s) => s.id)
    .sort();

export function databaseNames(commune: string, catalogue: Catalogue = DEFAULT_CATALOGUE): CommuneDatabases {
  const main = mainDatabaseName(commune);
  const sensitive: Record<string, string> = {};
  for (const service of sensitiveServices(catalogue))
    sensitive[service] = sensitiveDatabaseName(commune, service);
  const config = `${main}-config`;
  const log = `${main}-log`;
  return { main, config, log, sensitive, all: [main, config, log, ...Object.values(sensitive)] };
}
