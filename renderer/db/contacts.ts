import type { Citizen } from "../../domain/request";
import type { LocalData } from "./local-database";
import { findByName } from "./search";

/**
 * Citizens already known on this workstation, from the requests' nameKey index: the same person
 * (name and contact details) appears once, from their latest request read.
 */
export async function findContacts(data: LocalData, text: string, limit = 8): Promise<Citizen[]> {
  const requests = await findByName(data, text, 100);
  const seen = new Map<string, Citizen>();
  for (const r of requests) {
    if (r.anonymised) continue;
    const c = r.citizen;
    const key = [r.nameKey, c.email ?? "", c.phone ?? "", c.address?.line ?? ""].join("|");
    if (!seen.has(key)) seen.set(key, c);
    if (seen.size >= limit) break;
  }
  return [...seen.values()];
}
