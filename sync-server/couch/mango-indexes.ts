/** A Mango index the server's queries need, created through `POST /db/_index` (idempotent). */
export type MangoIndex = { ddoc: string; name: string; fields: string[] };

export const REQUEST_INDEXES: MangoIndex[] = [
  // Deadline watch and queues: open requests of a status by due date.
  { ddoc: "idx-status-due", name: "type-status-dueOn", fields: ["type", "status", "dueOn"] },
  // ARs still owed.
  { ddoc: "idx-ar", name: "type-arSent", fields: ["type", "arSent"] },
  // The public follow-up page looks a request up by its number.
  { ddoc: "idx-tracking", name: "tracking", fields: ["tracking"] },
  // Retention: closed requests by last change.
  { ddoc: "idx-open-updated", name: "type-open-updatedAt", fields: ["type", "open", "updatedAt"] },
];

export const LOG_INDEXES: MangoIndex[] = [{ ddoc: "idx-at", name: "type-at", fields: ["type", "at"] }];
