import { addDays } from "../../domain/calendar";
import type { IndexedQuery } from "./indexed-query";

export const QUEUES = ["service", "open", "triage", "deadline"] as const;
export type QueueId = (typeof QUEUES)[number];
export type QueueSort = "dueOn" | "updatedAt" | "receivedAt";

export type QueueFilters = {
  channel?: string;
  demarche?: string;
  status?: string;
  service?: string;
  /** Paris days (AAAA-MM-JJ), inclusive. */
  from?: string;
  to?: string;
  sort?: QueueSort;
};

export type QueueContext = { myService: string; today: string; soonDays: number };

/** Sorts each queue offers: only orders an index serves. */
export function queueSorts(queue: QueueId): QueueSort[] {
  if (queue === "triage") return ["receivedAt"];
  if (queue === "deadline") return ["dueOn"];
  return ["dueOn", "updatedAt"];
}

/** Filters that make sense in each queue (the triage queue is defined by channel and status). */
export function queueFilterKeys(queue: QueueId): (keyof QueueFilters)[] {
  // Channel: online submissions by default, or the mails the email door filed (« courriel »).
  if (queue === "triage") return ["channel", "demarche", "from", "to"];
  if (queue === "service") return ["channel", "demarche", "status", "from", "to"];
  return ["channel", "demarche", "status", "service", "from", "to"];
}

/**
 * The query of a queue: its defining selector on an index prefix, the agent's filters (checked
 * in memory while the index is read in order, so the first page still stops after one page),
 * and the index whose order is the list's sort.
 */
export function planQueue(queue: QueueId, filters: QueueFilters, ctx: QueueContext): IndexedQuery {
  const allowed = new Set(queueFilterKeys(queue));
  const f = (k: keyof QueueFilters) => (allowed.has(k) && filters[k] ? filters[k] : undefined);
  const extra: Record<string, unknown> = {};
  if (f("channel")) extra.channel = { $eq: f("channel") };
  if (f("demarche")) extra.demarche = { $eq: f("demarche") };
  if (f("status")) extra.status = { $eq: f("status") };
  const from = f("from");
  const to = f("to");
  if (from || to) extra.receivedOn = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
  const sort =
    filters.sort && queueSorts(queue).includes(filters.sort) ? filters.sort : queueSorts(queue)[0]!;

  if (queue === "triage") {
    return {
      selector: { ...extra, channel: { $eq: f("channel") ?? "en_ligne" }, status: { $eq: "received" } },
      index: ["channel", "status", "receivedAt"],
      sortField: "receivedAt",
    };
  }
  const service = queue === "service" ? ctx.myService : f("service");
  const base: Record<string, unknown> = { open: { $eq: true }, ...extra };
  if (service) base.service = { $eq: service };
  if (queue === "deadline") base.dueOn = { $lte: addDays(ctx.today, ctx.soonDays) };
  if (sort === "updatedAt") return { selector: base, index: ["updatedAt"], sortField: "updatedAt" };
  return {
    selector: base,
    index: service ? ["open", "service", "dueOn"] : ["open", "dueOn"],
    sortField: "dueOn",
  };
}
