import { citizenKeys, sameCitizen } from "../../domain/citizen-identity";
import type { Citizen, GuichetRequest } from "../../domain/request";
import { withoutRxFields } from "./database";
import type { LocalData } from "./local-database";
import { findByName } from "./search";
import { identityValue, type WordKind } from "./word-index";

const MAX = 200;

/**
 * Every request of the same person on this workstation, whatever the channel: same email, same
 * phone, or same name and address (domain/citizen-identity.ts), latest received first. Read from
 * the word index's identity keys; while that index is first built, from the name's requests.
 */
export async function findCitizenRequests(data: LocalData, citizen: Citizen): Promise<GuichetRequest[]> {
  const candidates = (await data.words.upToDate())
    ? await byKeys(data, citizen)
    : await findByName(data, `${citizen.lastName} ${citizen.firstName}`, MAX);
  return candidates
    .filter((r) => !r.anonymised && sameCitizen(citizen, r.citizen))
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || a.id.localeCompare(b.id));
}

async function byKeys(data: LocalData, citizen: Citizen): Promise<GuichetRequest[]> {
  const keys = citizenKeys(citizen);
  const wanted: [WordKind, string | undefined][] = [
    ["e", keys.email],
    ["p", keys.phone],
    ["a", keys.nameAddress],
  ];
  const ids = new Set<string>();
  for (const [kind, key] of wanted) {
    if (!key) continue;
    // The entry is "<kind>:<key> <id>": the space makes the range an exact match of the key.
    for (const id of await data.words.idsStartingWith(kind, `${identityValue(key)} `, MAX)) ids.add(id);
  }
  const docs = await data.db.requests.storageInstance.findDocumentsById([...ids], false);
  return docs.map((d) => withoutRxFields(d) as GuichetRequest);
}
