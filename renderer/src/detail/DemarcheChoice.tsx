import { type FormEvent, useState } from "react";
import { choosableDemarches, chooseDemarche } from "../../../domain/demarche-choice";
import { chosenDemarche } from "../../../domain/history";
import type { GuichetRequest } from "../../../domain/request";
import { rolesOn } from "../../../domain/roles";
import { ASSIGN_ROLES } from "../../../domain/workflow";
import { useWorkstation } from "../shared/app-context";
import { DEMARCHE_CHOICE_TEXT as T } from "./demarche-choice-text";
import { useAddEvents } from "./use-add-events";

/**
 * A mail arrives as « demande générale »: whoever routes requests picks its démarche, which gives
 * the request the démarche's service and délai (one `demarche_chosen` event). The server then sends
 * the accusé de réception, once.
 */
export function DemarcheChoice({ request: r }: { request: GuichetRequest }) {
  const ws = useWorkstation();
  const actions = useAddEvents(r.id);
  const [demarche, setDemarche] = useState(r.demarche);
  const [error, setError] = useState<string | undefined>();
  const roles = rolesOn(r.service, ws.session.roles, ws.session.couchRoles);
  if (r.channel !== "courriel" || !r.open || r.sensitive || !roles.some((x) => ASSIGN_ROLES.includes(x)))
    return null;
  const options = choosableDemarches(ws.catalogue);
  // A mail the door filed as « demande générale » still waits for its démarche (and its AR).
  const pending = r.demarche === "demande_generale" && chosenDemarche(r.events) === null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const choice = chooseDemarche(r, ws.catalogue, demarche);
    if (!choice.ok) return setError(choice.error);
    setError(undefined);
    await actions.add([actions.event("demarche_chosen", choice.body)]);
  }
  return (
    <section aria-labelledby="demarche-choice-title" className="actions" data-testid="demarche-choice">
      <h2 id="demarche-choice-title">{T.title}</h2>
      {pending && <p className="warning">{T.hint}</p>}
      {actions.message && (
        <p
          className={actions.message.ok ? "success" : "error"}
          role={actions.message.ok ? "status" : "alert"}
        >
          {actions.message.text}
        </p>
      )}
      <form onSubmit={submit} className="action" noValidate>
        <div className="field">
          <label htmlFor="demarche-choice">{T.label}</label>
          <select
            id="demarche-choice"
            value={demarche}
            onChange={(e) => setDemarche(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? "demarche-choice-error" : undefined}
          >
            {options.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
          {error && (
            <p id="demarche-choice-error" className="error" role="alert">
              {error}
            </p>
          )}
        </div>
        <button type="submit">{T.submit}</button>
      </form>
    </section>
  );
}
