import { map } from "rxjs";
import { parisDate } from "../../domain/history";
import type { LocalCollections } from "./local-collections";
import { randomId } from "./random-id";

/** All the immediate answers need of the workstation's data. */
export type QuickAnswerData = { local: Pick<LocalCollections, "quick_answers"> };

export type QuickAnswerInput = {
  channel: string;
  reason: string;
  text?: string;
  by: string;
  workstation: string;
};

/** Logs a contact answered on the spot; renderer/sync/contact-log-replication.ts sends it to the -log database. */
export async function recordQuickAnswer(
  data: QuickAnswerData,
  input: QuickAnswerInput,
  now = new Date(),
): Promise<void> {
  const at = now.toISOString();
  // The -log database refuses control characters: a line break in the note becomes a space.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  const text = input.text?.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
  await data.local.quick_answers.insert({
    id: `${now.getTime().toString(36)}-${randomId(8)}`,
    at,
    day: parisDate(at),
    by: input.by,
    workstation: input.workstation,
    channel: input.channel,
    reason: input.reason,
    ...(text ? { text: text.slice(0, 500) } : {}),
  });
}

/**
 * Live count of today's quick answers on this workstation. The collection also holds the other
 * workstations' (synced from -log for the statistics): the "day" index finds the day's, a filter
 * keeps this workstation's.
 */
export function quickAnswersToday$(data: QuickAnswerData, today: string, workstation: string) {
  return data.local.quick_answers
    .find({ selector: { day: { $eq: today } } })
    .$.pipe(map((docs) => docs.filter((d) => d.workstation === workstation).length));
}
