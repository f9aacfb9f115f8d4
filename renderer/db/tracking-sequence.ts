import { makeTrackingNumber, parseTrackingNumber } from "../../domain/tracking-number";
import type { LocalData } from "./local-database";

/**
 * Next tracking number of this workstation. The counter is persisted (and incremented atomically)
 * before the request is written, so a number is never issued twice, even after a reload or a
 * failed save (a gap is harmless, a reuse is not). On first use the counter starts above every
 * number of this code already in the replica (a reinstalled workstation that got its requests back).
 */
export async function nextTrackingNumber(data: LocalData, workstationCode: string): Promise<string> {
  const id = `tracking-${workstationCode}`;
  let counter = await data.local.counters.findOne(id).exec();
  if (!counter) {
    const floor = await highestLocalSequence(data, workstationCode);
    counter = await data.local.counters.insertIfNotExists({ id, value: floor });
  }
  const next = await counter.incrementalModify((c) => ({ ...c, value: c.value + 1 }));
  return makeTrackingNumber(workstationCode, next.value);
}

async function highestLocalSequence(data: LocalData, code: string): Promise<number> {
  // Primary-key range: the ids of this code are exactly the ones that start with it.
  const docs = await data.db.requests
    .find({ selector: { id: { $gte: code, $lt: `${code}\uffff` } }, sort: [{ id: "asc" }] })
    .exec();
  let max = 0;
  for (const d of docs) {
    const parsed = parseTrackingNumber(d.id);
    if (parsed.ok) max = Math.max(max, parsed.sequence);
  }
  return max;
}
