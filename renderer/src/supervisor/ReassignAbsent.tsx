import { type FormEvent, useEffect, useRef, useState } from "react";
import type { GuichetRequest } from "../../../domain/request";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { ServiceSelect } from "../shared/ServiceSelect";
import { AgentField } from "./AgentField";
import { checkAgentName, planReassignment } from "./reassign";
import { currentRequests, openRequestsOf } from "./supervisor-data";
import { outcomeText, useApplyPlan, useKnownAgents, useSigner } from "./use-supervisor";

const S = fr.supervisor;

type Pending = { service: string; from: string; to: string; ids: string[] };

/**
 * An agent is away: every open request assigned to them in a service goes to another agent, after
 * a confirmation that says how many. The service does not change.
 */
export function ReassignAbsent() {
  const { data, catalogue, prefs } = useWorkstation();
  const who = useSigner();
  const apply = useApplyPlan();
  const [service, setService] = useState(prefs.myService);
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [open, setOpen] = useState(false);
  const agents = useKnownAgents(service, open);
  const confirmText = useRef<HTMLParagraphElement>(null);
  const serviceName = (id: string) => catalogue.services.find((s) => s.id === id)?.name ?? id;

  useEffect(() => {
    if (pending) confirmText.current?.focus();
  }, [pending]);

  async function count(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    const a = checkAgentName(from);
    const b = checkAgentName(to);
    const next: { from?: string; to?: string } = {};
    if (!a.ok) next.from = S.invalidAgent;
    else if (!a.name) next.from = S.agentRequired;
    if (!b.ok) next.to = S.invalidAgent;
    else if (!b.name) next.to = S.agentRequired;
    else if (a.ok && a.name === b.name) next.to = S.absentSame;
    setErrors(next);
    if (!a.ok || !b.ok || next.from || next.to) return;
    setBusy(true);
    try {
      const found = await openRequestsOf(data, service, a.name);
      if (found.length === 0) setMessage({ ok: true, text: S.absentNone(a.name, serviceName(service)) });
      else setPending({ service, from: a.name, to: b.name, ids: found.map((r) => r.id) });
    } catch (err) {
      setMessage({ ok: false, text: S.loadError((err as Error).message) });
    } finally {
      setBusy(false);
    }
  }

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    try {
      // Exactly the requests counted, as they are now: one closed or handed over meanwhile stays put.
      const still = (await currentRequests(data.repo, pending.ids)).filter(
        (r: GuichetRequest) => r.assignee === pending.from && r.service === pending.service,
      );
      const plan = planReassignment(still, { assignee: pending.to }, catalogue, who);
      const result = await apply(plan);
      setMessage({ ok: result.failed.length === 0, text: outcomeText(plan, result) });
      setPending(null);
      setFrom("");
    } catch (err) {
      setMessage({ ok: false, text: fr.actions.failed((err as Error).message) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="absent" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{S.absentTitle}</summary>
      <p className="help">{S.absentIntro}</p>
      <form onSubmit={count} noValidate aria-label={S.absentTitle}>
        <div className="row">
          <ServiceSelect
            id="absent-service"
            label={S.service}
            value={service}
            onChange={(v) => {
              setService(v);
              setPending(null);
            }}
            services={catalogue.services}
          />
          <AgentField
            path="absent.from"
            label={S.absentFrom}
            value={from}
            onChange={(v) => {
              setFrom(v);
              setPending(null);
            }}
            agents={agents}
            error={errors.from}
            required
          />
          <AgentField
            path="absent.to"
            label={S.absentTo}
            value={to}
            onChange={(v) => {
              setTo(v);
              setPending(null);
            }}
            agents={agents}
            error={errors.to}
            required
          />
        </div>
        <div className="buttons">
          <button type="submit" disabled={busy}>
            {S.absentCount}
          </button>
        </div>
      </form>
      {pending && (
        <div className="confirm" data-testid="absent-confirm">
          <p ref={confirmText} tabIndex={-1} className="warning">
            {S.absentConfirm(pending.ids.length, pending.from, serviceName(pending.service), pending.to)}
          </p>
          <div className="buttons">
            <button type="button" className="primary" onClick={confirm} disabled={busy}>
              {busy ? S.working : S.confirm}
            </button>
            <button type="button" onClick={() => setPending(null)} disabled={busy}>
              {fr.common.cancel}
            </button>
          </div>
        </div>
      )}
      {message && (
        <p className={message.ok ? "success" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
    </details>
  );
}
