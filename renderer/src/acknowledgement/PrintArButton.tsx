import type { Acknowledgement } from "../../../domain/acknowledgement";
import type { GuichetRequest } from "../../../domain/request";
import { makeEvent } from "../../db/events";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";

/**
 * Prints the AR on screen (print stylesheet) and records it in the history. An AR missing a
 * mandatory mention must not go out (L112-6): the button is replaced by the list of what is missing.
 */
export function PrintArButton({ request, ack }: { request: GuichetRequest; ack: Acknowledgement }) {
  const ws = useWorkstation();
  if (ack.missing.length > 0) {
    return (
      <span className="warning" role="alert">
        {fr.ar.incomplete(ack.missing.join(", "))}
      </span>
    );
  }
  async function print() {
    window.print();
    await ws.data.repo.addEvents(request.id, [
      makeEvent({ username: ws.session.username, workstation: ws.workstationCode ?? "100" }, "ar_sent", {
        via: "print",
      }),
    ]);
  }
  return (
    <button type="button" className="primary" onClick={() => void print()} data-testid="print-ar">
      {fr.saved.print}
    </button>
  );
}
