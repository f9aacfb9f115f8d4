import { newEventId } from "../../domain/history";
import type { RequestEvent } from "../../domain/request";

type EventBody<K extends RequestEvent["kind"]> = Omit<
  Extract<RequestEvent, { kind: K }>,
  "id" | "at" | "by" | "workstation" | "kind"
>;

/** A history event stamped with who, when and which workstation (the repository validates it). */
export function makeEvent<K extends RequestEvent["kind"]>(
  who: { username: string; workstation: string },
  kind: K,
  body: EventBody<K>,
  at = new Date().toISOString(),
): RequestEvent {
  return {
    id: newEventId(at, who.workstation),
    at,
    by: who.username,
    workstation: who.workstation,
    kind,
    ...body,
  } as RequestEvent;
}
