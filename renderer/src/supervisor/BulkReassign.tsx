import { type FormEvent, useState } from "react";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { ServiceSelect } from "../shared/ServiceSelect";
import { TextField } from "../shared/TextField";
import { AgentField } from "./AgentField";
import type { RowSelection } from "./PageSelection";
import { checkAgentName, planReassignment } from "./reassign";
import { currentRequests } from "./supervisor-data";
import { outcomeText, useApplyPlan, useKnownAgents, useSigner } from "./use-supervisor";

const S = fr.supervisor;

/** The selected requests to another service and/or agent: one "assigned" event each. */
export function BulkReassign({ selection }: { selection: RowSelection }) {
  const { data, catalogue } = useWorkstation();
  const who = useSigner();
  const apply = useApplyPlan();
  const [service, setService] = useState("");
  const [agent, setAgent] = useState("");
  const [note, setNote] = useState("");
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const count = selection.selected.size;
  const agents = useKnownAgents(service || undefined, count > 0);
  // Another service's database is out of reach (sensitive services): only the main one's are offered.
  const services = catalogue.services.filter((s) => !s.sensitive);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    if (count === 0) return setMessage({ ok: false, text: S.nothingSelected });
    const name = checkAgentName(agent);
    if (!name.ok) return setError(S.invalidAgent);
    setError(undefined);
    setBusy(true);
    try {
      const requests = await currentRequests(data.repo, selection.selected);
      const plan = planReassignment(
        requests,
        { ...(service ? { service } : {}), assignee: name.name, note },
        catalogue,
        who,
      );
      const result = await apply(plan);
      selection.set([...result.done, ...plan.skipped.map((s) => s.id)], false);
      setMessage({ ok: result.failed.length === 0, text: outcomeText(plan, result) });
      setNote("");
    } catch (err) {
      setMessage({ ok: false, text: fr.actions.failed((err as Error).message) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="bulk" aria-labelledby="bulk-title" onSubmit={submit} noValidate>
      <h3 id="bulk-title">{S.bulkTitle}</h3>
      <div className="row">
        <ServiceSelect
          id="bulk-service"
          label={S.service}
          value={service}
          onChange={setService}
          services={services}
          emptyLabel={S.keepService}
        />
        <AgentField
          path="bulk.agent"
          label={S.agent}
          value={agent}
          onChange={setAgent}
          agents={agents}
          error={error}
          help={S.agentHelp}
        />
        <TextField
          path="bulk.note"
          label={S.reason}
          value={note}
          onChange={setNote}
          input={{ maxLength: 500 }}
        />
      </div>
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? S.working : S.bulkSubmit(count)}
        </button>
        {message && (
          <p className={message.ok ? "success" : "error"} role={message.ok ? "status" : "alert"}>
            {message.text}
          </p>
        )}
      </div>
    </form>
  );
}
