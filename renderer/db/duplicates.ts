import { searchKey } from "../../domain/history";
import type { GuichetRequest } from "../../domain/request";
import { findIndexed } from "./indexed-query";
import type { LocalData } from "./local-database";
import { phrasePattern } from "./text-match";

export type DuplicateProbe = {
  demarche: string;
  lastName: string;
  firstName: string;
  /** Signalements: the place, matched whatever its accents, case or punctuation. */
  place?: string;
};

/**
 * Likely duplicates among open requests: same citizen and démarche (nameKey index, exact key), or,
 * for a démarche with a place, same démarche and place (open requests in index order, matched in memory).
 */
export async function findDuplicates(
  data: LocalData,
  probe: DuplicateProbe,
  limit = 5,
): Promise<GuichetRequest[]> {
  const found = new Map<string, GuichetRequest>();
  const nameKey = searchKey(`${probe.lastName} ${probe.firstName}`);
  if (probe.demarche && probe.lastName.trim() && probe.firstName.trim()) {
    const docs = await findIndexed(
      data,
      {
        selector: { nameKey: { $eq: nameKey }, demarche: { $eq: probe.demarche }, open: { $eq: true } },
        index: ["nameKey"],
        sortField: "nameKey",
      },
      limit,
    ).exec();
    for (const d of docs) found.set(d.id, d.toJSON() as GuichetRequest);
  }
  const place = probe.place ? phrasePattern(probe.place) : "";
  if (probe.demarche && place.length >= 4) {
    const docs = await findIndexed(
      data,
      {
        selector: {
          open: { $eq: true },
          demarche: { $eq: probe.demarche },
          "location.address": { $regex: `^${place}$`, $options: "iu" },
        },
        index: ["open", "dueOn"],
        sortField: "dueOn",
      },
      limit,
    ).exec();
    for (const d of docs) found.set(d.id, d.toJSON() as GuichetRequest);
  }
  return [...found.values()].slice(0, limit);
}
