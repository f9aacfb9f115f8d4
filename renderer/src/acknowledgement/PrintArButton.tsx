import { useState } from "react";
import type { Acknowledgement } from "../../../domain/acknowledgement";
import type { GuichetRequest } from "../../../domain/request";
import { makeEvent } from "../../db/events";
import { fr } from "../i18n/fr";
import { type Signer, signerOf, useWorkstation } from "../shared/app-context";
import { printAck } from "../shared/desktop-bridge";

/**
 * Prints the AR (print stylesheet; through the desktop shell when there is one) and records it
 * in the history. An AR missing a
 * mandatory mention must not go out (L112-6): the button is replaced by the list of what is missing.
 */
export function PrintArButton({ request, ack }: { request: GuichetRequest; ack: Acknowledgement }) {
  const ws = useWorkstation();
  const [error, setError] = useState<string | null>(null);
  if (ack.missing.length > 0) {
    return (
      <span className="warning" role="alert">
        {fr.ar.incomplete(ack.missing.join(", "))}
      </span>
    );
  }
  const who = signerOf(ws);
  // Printing is recorded in the history (the AR's proof): a workstation must sign it.
  if (!who) {
    return (
      <span className="warning" role="alert">
        {fr.newRequest.noWorkstationCode}
      </span>
    );
  }
  async function print(signer: Signer) {
    const printed = await printAck();
    setError(printed.ok ? null : printed.error);
    if (printed.ok)
      await ws.data.repo.addEvents(request.id, [makeEvent(signer, "ar_sent", { via: "print" })]);
  }
  return (
    <>
      <button type="button" className="primary" onClick={() => void print(who)} data-testid="print-ar">
        {fr.saved.print}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
