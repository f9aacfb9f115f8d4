import { parisDate } from "../../../domain/history";
import type { LocalData } from "./local-database";
import { randomId } from "./random-id";

export type QuickAnswerInput = {
  channel: string;
  reason: string;
  text?: string;
  by: string;
  workstation: string;
};

/** Logs a contact answered on the spot. Local only for now: sending them to the -log database is a follow-up. */
export async function recordQuickAnswer(
  data: LocalData,
  input: QuickAnswerInput,
  now = new Date(),
): Promise<void> {
  const at = now.toISOString();
  const text = input.text?.trim();
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

/** Live count of today's quick answers on this workstation (the "day" index answers it alone). */
export function quickAnswersToday$(data: LocalData, today: string) {
  return data.local.quick_answers.count({ selector: { day: { $eq: today } } }).$;
}
