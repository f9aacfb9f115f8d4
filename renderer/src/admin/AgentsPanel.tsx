import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { AgentCard } from "../../../domain/commune";
import { ROLE_LABELS, type Role } from "../../../domain/roles";
import {
  type AgentsListing,
  createAgent,
  fetchAgents,
  resetPassword,
  updateAgent,
} from "../../sync/commune-admin-client";
import { useWorkstation } from "../shared/app-context";
import { TextField } from "../shared/TextField";
import { AgentAccessFields } from "./AgentAccessFields";
import { AgentEditForm } from "./AgentEditForm";
import { configChanged, trySave } from "./admin-save";
import { frCommune as t } from "./fr-commune-admin";

const EMPTY = { username: "", firstName: "", lastName: "", position: "", password: "" };

/** The commune's agents: accounts and the cards letters print (L111-2). */
export function AgentsPanel() {
  const { settings, session } = useWorkstation();
  const [listing, setListing] = useState<AgentsListing | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const reload = useCallback(async () => {
    const outcome = await trySave(async () => setListing(await fetchAgents(settings.serverUrl, session)));
    if (!outcome.ok) setMessage(outcome.message);
  }, [settings.serverUrl, session]);
  useEffect(() => {
    void reload();
  }, [reload]);

  async function act(work: () => Promise<unknown>, done: string): Promise<boolean> {
    setNotice(null);
    const outcome = await trySave(work);
    if (!outcome.ok) {
      setMessage(outcome.message);
      return false;
    }
    setMessage(null);
    setNotice(done);
    configChanged();
    await reload();
    return true;
  }

  return (
    <section aria-labelledby="agents-title">
      <h2 id="agents-title">{t.agents.caption}</h2>
      <p className="help">{t.agents.intro}</p>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      {listing && listing.agents.length === 0 && <p>{t.agents.none}</p>}
      {listing && listing.agents.length > 0 && (
        <table className="admin-catalogue">
          <caption className="visually-hidden">{t.agents.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.agents.lastName}</th>
              <th scope="col">{t.agents.position}</th>
              <th scope="col">{t.agents.roles}</th>
              <th scope="col">{t.agents.state}</th>
              <th scope="col">{t.agents.actions}</th>
            </tr>
          </thead>
          <tbody>
            {listing.agents.map((a) => (
              <AgentRow
                key={a.username}
                agent={a}
                services={listing.services}
                onSave={(patch) =>
                  act(
                    () => updateAgent(settings.serverUrl, session, a.username, patch),
                    t.agents.rolesSaved(a.username),
                  )
                }
                onDisable={() =>
                  act(
                    () => updateAgent(settings.serverUrl, session, a.username, { disabled: true }),
                    t.agents.disabledDone(a.username),
                  )
                }
                onReset={(password) =>
                  act(
                    () => resetPassword(settings.serverUrl, session, a.username, password),
                    t.agents.resetDone(a.username),
                  )
                }
              />
            ))}
          </tbody>
        </table>
      )}
      {listing && (
        <NewAgentForm
          services={listing.services}
          onCreate={(agent) =>
            act(() => createAgent(settings.serverUrl, session, agent), t.agents.created(agent.username))
          }
        />
      )}
    </section>
  );
}

function AgentRow({
  agent,
  services,
  onSave,
  onDisable,
  onReset,
}: {
  agent: AgentCard;
  services: { id: string; name: string }[];
  onSave(patch: Partial<AgentCard>): Promise<boolean>;
  onDisable(): Promise<boolean>;
  onReset(password: string): Promise<boolean>;
}) {
  const [resetting, setResetting] = useState(false);
  const [editing, setEditing] = useState(false);
  const [password, setPassword] = useState("");
  if (editing) {
    return (
      <tr data-testid="admin-agent-row">
        <td colSpan={5}>
          <AgentEditForm
            agent={agent}
            services={services}
            onSave={onSave}
            onCancel={() => setEditing(false)}
          />
        </td>
      </tr>
    );
  }
  const id = `reset-${agent.username.replace(/[^a-z0-9]/g, "-")}`;
  return (
    <tr data-testid="admin-agent-row">
      <th scope="row">
        {agent.firstName} {agent.lastName}
        <br />
        <small>{agent.username}</small>
      </th>
      <td>{agent.position}</td>
      <td>{agent.roles.map((r) => ROLE_LABELS[r]).join(", ")}</td>
      <td>{agent.disabled ? t.agents.disabled : t.agents.active}</td>
      <td>
        <button type="button" aria-label={t.agents.edit(agent.username)} onClick={() => setEditing(true)}>
          {t.agents.editShort}
        </button>{" "}
        {!agent.disabled && (
          <button
            type="button"
            aria-label={t.agents.disable(agent.username)}
            onClick={() => void onDisable()}
          >
            {t.agents.disableShort}
          </button>
        )}{" "}
        {resetting ? (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void onReset(password).then((ok) => ok && setResetting(false));
            }}
          >
            <label htmlFor={id}>{t.agents.reset(agent.username)}</label>{" "}
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />{" "}
            <button type="submit">{t.agents.confirmReset}</button>
          </form>
        ) : (
          <button
            type="button"
            aria-label={t.agents.reset(agent.username)}
            onClick={() => setResetting(true)}
          >
            {t.agents.resetShort}
          </button>
        )}
      </td>
    </tr>
  );
}

function NewAgentForm({
  services,
  onCreate,
}: {
  services: { id: string; name: string }[];
  onCreate(agent: AgentCard & { password: string }): Promise<boolean>;
}) {
  const [draft, setDraft] = useState(EMPTY);
  const [roles, setRoles] = useState<Role[]>(["agent"]);
  const [chosen, setChosen] = useState<string[]>([]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const ok = await onCreate({ ...draft, username: draft.username.trim(), roles, services: chosen });
    if (ok) {
      setDraft(EMPTY);
      setRoles(["agent"]);
      setChosen([]);
    }
  }

  const text = (key: keyof typeof EMPTY, type = "text") => (
    <TextField
      path={`agent.${key}`}
      label={t.agents[key]}
      value={draft[key]}
      onChange={(v) => setDraft((d) => ({ ...d, [key]: v }))}
      required
      input={{ type, autoComplete: type === "password" ? "new-password" : "off" }}
    />
  );

  return (
    <form onSubmit={(e) => void submit(e)} data-testid="new-agent-form">
      <fieldset>
        <legend>{t.agents.addLegend}</legend>
        {text("username")}
        {text("firstName")}
        {text("lastName")}
        {text("position")}
        <AgentAccessFields
          roles={roles}
          setRoles={setRoles}
          chosen={chosen}
          setChosen={setChosen}
          services={services}
        />
        {text("password", "password")}
      </fieldset>
      <p className="buttons">
        <button type="submit" className="primary">
          {t.agents.add}
        </button>
      </p>
    </form>
  );
}
