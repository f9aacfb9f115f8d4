import type { QueueFilters, QueueId } from "../../db/queues";

// Filters survive going to a request and back (not a reload: a fresh start shows full queues).
const remembered = new Map<QueueId, QueueFilters>();

export const rememberedFilters = (q: QueueId): QueueFilters => remembered.get(q) ?? {};
export const rememberFilters = (q: QueueId, f: QueueFilters): void => {
  remembered.set(q, f);
};
