import { type FormEvent, useState } from "react";
import { assignableTo } from "../../../domain/commune";
import type { GuichetRequest } from "../../../domain/request";
import { ROLE_LABELS, rolesOn } from "../../../domain/roles";
import { parseTrackingNumber } from "../../../domain/tracking-number";
import {
  ASSIGN_ROLES,
  nextStatuses,
  STATUS_LABELS,
  type Status,
  withheldStatuses,
} from "../../../domain/workflow";
import { fr } from "../i18n/fr";
import { signerOf, useWorkstation } from "../shared/app-context";
import { ServiceSelect } from "../shared/ServiceSelect";
import { TextField } from "../shared/TextField";
import { useAddEvents } from "./use-add-events";

const A = fr.actions;

/** What the agent's role allows on this request, each action one history event (or two for a link). */
export function ActionsPanel({ request: r }: { request: GuichetRequest }) {
  const ws = useWorkstation();
  const { session } = ws;
  const actions = useAddEvents(r.id);
  // As the server decides: a service agent acts as such on their own services' requests only.
  const roles = rolesOn(r.service, session.roles, session.couchRoles);
  const targets = nextStatuses(r.status, roles);
  const canAssign = r.open && roles.some((x) => ASSIGN_ROLES.includes(x));
  return (
    <section aria-labelledby="actions-title" className="actions">
      <h2 id="actions-title">{fr.detail.actions}</h2>
      {!signerOf(ws) && (
        <p className="warning" role="alert">
          {fr.newRequest.noWorkstationCode}
        </p>
      )}
      {actions.message && (
        <p
          className={actions.message.ok ? "success" : "error"}
          role={actions.message.ok ? "status" : "alert"}
        >
          {actions.message.text}
        </p>
      )}
      {targets.length > 0 && <StatusForm request={r} targets={targets} actions={actions} />}
      {canAssign && <AssignForm request={r} actions={actions} />}
      <NoteForm actions={actions} />
      <LinkForm request={r} actions={actions} />
    </section>
  );
}

type Actions = ReturnType<typeof useAddEvents>;

/** Why some statuses are not offered: after assignment, answering is the service's work, not the counter's. */
function StatusChoicesHelp({ request: r }: { request: GuichetRequest }) {
  const { session } = useWorkstation();
  const withheld = withheldStatuses(r.status, rolesOn(r.service, session.roles, session.couchRoles));
  return (
    <p id="action-status-help" className="help" data-testid="status-choices-help">
      {A.statusFrom(STATUS_LABELS[r.status])}
      {withheld.map((w) => (
        <span key={w.to}>
          {" "}
          {A.withheld(
            STATUS_LABELS[w.to],
            w.by.map((role) => ROLE_LABELS[role]),
          )}
        </span>
      ))}
      {withheld.length > 0 && r.status !== "received" && <> {A.withheldWhy}</>}
    </p>
  );
}

function StatusForm({
  request: r,
  targets,
  actions,
}: {
  request: GuichetRequest;
  targets: Status[];
  actions: Actions;
}) {
  const [to, setTo] = useState<Status>(targets[0]!);
  const [reason, setReason] = useState("");
  const [pieces, setPieces] = useState("");
  const [dueOn, setDueOn] = useState("");
  const [answer, setAnswer] = useState("");
  const [forwardedTo, setForwardedTo] = useState("");
  const [error, setError] = useState<{ path: string; text: string } | null>(null);
  const target = targets.includes(to) ? to : targets[0]!;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missingPieces = pieces
      .split("\n")
      .map((p) => p.trim())
      .filter(Boolean);
    if (target === "incomplete" && missingPieces.length === 0)
      return setError({ path: "action.missingPieces", text: A.missingPiecesRequired });
    // L114-5: the time given is mandatory (it ends the SVR suspension); the server refuses it missing.
    if (target === "incomplete" && !dueOn)
      return setError({ path: "action.piecesDueOn", text: A.piecesDueOnRequired });
    if (target === "answered" && !answer.trim())
      return setError({ path: "action.answer", text: A.answerRequired });
    if (target === "forwarded" && !forwardedTo.trim())
      return setError({ path: "action.forwardedTo", text: A.forwardRequired });
    setError(null);
    const ok = await actions.add([
      actions.event("status", {
        from: r.status,
        to: target,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
        ...(target === "incomplete" ? { missingPieces, piecesDueOn: dueOn } : {}),
        ...(target === "answered" ? { answer: answer.trim() } : {}),
        ...(target === "forwarded" ? { forwardedTo: forwardedTo.trim() } : {}),
      }),
    ]);
    if (ok) for (const clear of [setReason, setPieces, setDueOn, setAnswer, setForwardedTo]) clear("");
  }
  const err = (path: string) => (error?.path === path ? error.text : undefined);

  return (
    <form onSubmit={submit} className="action" aria-labelledby="status-form-title" noValidate>
      <h3 id="status-form-title">{A.status}</h3>
      <div className="field">
        <label htmlFor="action-status">{A.statusTo}</label>
        <select
          id="action-status"
          value={target}
          onChange={(e) => setTo(e.target.value as Status)}
          aria-describedby="action-status-help"
        >
          {targets.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
        <StatusChoicesHelp request={r} />
      </div>
      {target === "incomplete" && (
        <>
          <TextField
            path="action.missingPieces"
            label={A.missingPieces}
            multiline
            required
            value={pieces}
            onChange={setPieces}
            error={err("action.missingPieces")}
          />
          <TextField
            path="action.piecesDueOn"
            label={A.piecesDueOn}
            required
            value={dueOn}
            onChange={setDueOn}
            input={{ type: "date" }}
            error={err("action.piecesDueOn")}
          />
        </>
      )}
      {target === "answered" && (
        <TextField
          path="action.answer"
          label={A.answer}
          multiline
          required
          value={answer}
          onChange={setAnswer}
          error={err("action.answer")}
        />
      )}
      {target === "forwarded" && (
        <TextField
          path="action.forwardedTo"
          label={A.forwardedTo}
          required
          value={forwardedTo}
          onChange={setForwardedTo}
          error={err("action.forwardedTo")}
        />
      )}
      <TextField
        path="action.reason"
        label={A.reason}
        value={reason}
        onChange={setReason}
        input={{ maxLength: 500 }}
      />
      <button type="submit">{A.statusSubmit}</button>
    </form>
  );
}

function AssignForm({ request: r, actions }: { request: GuichetRequest; actions: Actions }) {
  const { catalogue, commune } = useWorkstation();
  const [service, setService] = useState(r.service);
  const [assignee, setAssignee] = useState(r.assignee);
  // Only the directory's agents of the chosen service (the server refuses anyone else).
  const agents = assignableTo(commune, service);
  const valid = agents === null || assignee === "" || agents.some((a) => a.username === assignee);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!valid) return;
    await actions.add([actions.event("assigned", { service, assignee: assignee.trim() })]);
  }
  function chooseService(next: string) {
    setService(next);
    const stays = assignableTo(commune, next);
    if (stays && !stays.some((a) => a.username === assignee)) setAssignee("");
  }
  return (
    <form onSubmit={submit} className="action" aria-labelledby="assign-form-title">
      <h3 id="assign-form-title">{A.assign}</h3>
      {/* A request stays in its database: sensitive services live in their own (server-enforced). */}
      <ServiceSelect
        id="action-service"
        label={A.assignService}
        value={service}
        onChange={chooseService}
        services={catalogue.services.filter((s) => s.id === r.service || (!r.sensitive && !s.sensitive))}
      />
      {agents === null ? (
        <TextField
          path="action.assignee"
          label={A.assignee}
          value={assignee}
          onChange={setAssignee}
          input={{ maxLength: 80 }}
        />
      ) : (
        <div className="field">
          <label htmlFor="action-assignee">{A.assigneeChoice}</label>
          <select
            id="action-assignee"
            value={valid ? assignee : ""}
            onChange={(e) => setAssignee(e.target.value)}
            aria-describedby="action-assignee-help"
          >
            <option value="">{A.noAssignee}</option>
            {agents.map((a) => (
              <option key={a.username} value={a.username}>
                {A.agentOption(a)}
              </option>
            ))}
          </select>
          <p id="action-assignee-help" className="help">
            {agents.length === 0 ? A.noAgentInService : A.assigneeHelp}
          </p>
        </div>
      )}
      <button type="submit">{A.assignSubmit}</button>
    </form>
  );
}

function NoteForm({ actions }: { actions: Actions }) {
  const [text, setText] = useState("");
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    if (await actions.add([actions.event("note", { text: text.trim() })])) setText("");
  }
  return (
    <form onSubmit={submit} className="action" aria-labelledby="note-form-title">
      <h3 id="note-form-title">{A.note}</h3>
      <TextField path="action.note" label={A.noteText} multiline value={text} onChange={setText} />
      <button type="submit">{A.noteSubmit}</button>
    </form>
  );
}

/** Two requests for the same thing: each gets a duplicate_linked event naming the other. */
function LinkForm({ request: r, actions }: { request: GuichetRequest; actions: Actions }) {
  const { data } = useWorkstation();
  const [input, setInput] = useState("");
  const [error, setError] = useState<string | undefined>();
  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = parseTrackingNumber(input);
    if (!parsed.ok) return setError(parsed.error);
    if (parsed.compact === r.id) return setError(A.linkSelf);
    if (!(await data.repo.get(parsed.compact))) return setError(A.linkUnknown);
    setError(undefined);
    const here = await actions.add([actions.event("duplicate_linked", { otherId: parsed.compact })]);
    if (here) await actions.add([actions.event("duplicate_linked", { otherId: r.id })], parsed.compact);
    setInput("");
  }
  return (
    <form onSubmit={submit} className="action" aria-labelledby="link-form-title" noValidate>
      <h3 id="link-form-title">{A.link}</h3>
      <TextField
        path="action.link"
        label={A.linkTracking}
        value={input}
        onChange={setInput}
        error={error}
        input={{ autoComplete: "off" }}
      />
      <button type="submit">{A.linkSubmit}</button>
    </form>
  );
}
