import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { RequestEvent } from "../../../domain/request";
import { makeEvent } from "../../db/events";
import { fr } from "../i18n/fr";
import { requireSigner, useWorkstation } from "../shared/app-context";

type Body<K extends RequestEvent["kind"]> = Omit<
  Extract<RequestEvent, { kind: K }>,
  "id" | "at" | "by" | "workstation" | "kind"
>;

/** Appends events through the repository and reports the outcome in French. */
export function useAddEvents(id: string) {
  const ws = useWorkstation();
  const client = useQueryClient();
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  async function add(events: RequestEvent[], targetId = id): Promise<boolean> {
    try {
      await ws.data.repo.addEvents(targetId, events);
      await client.invalidateQueries({ queryKey: ["requests"] });
      setMessage({ ok: true, text: fr.actions.done });
      return true;
    } catch (err) {
      setMessage({ ok: false, text: fr.actions.failed((err as Error).message) });
      return false;
    }
  }
  function event<K extends RequestEvent["kind"]>(kind: K, body: Body<K>): RequestEvent {
    return makeEvent(requireSigner(ws), kind, body);
  }
  return { add, event, message, setMessage };
}
