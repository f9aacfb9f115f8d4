import { type FormEvent, useState } from "react";
import type { AgentCard } from "../../../domain/commune";
import { ROLE_LABELS, type Role } from "../../../domain/roles";
import { frCommune as t } from "./fr-commune-admin";

/** Roles an admin gives to people (portal and server are the service accounts'). */
export const STAFF_ROLES: Role[] = ["agent", "service_agent", "supervisor", "admin"];

export const toggle = <T,>(list: T[], v: T): T[] =>
  list.includes(v) ? list.filter((x) => x !== v) : [...list, v];

/** An agent's card and access: position, roles, services (Escape cancels). */
export function AgentEditForm({
  agent,
  services,
  onSave,
  onCancel,
}: {
  agent: AgentCard;
  services: { id: string; name: string }[];
  onSave(
    patch: Pick<AgentCard, "firstName" | "lastName" | "position" | "roles" | "services">,
  ): Promise<boolean>;
  onCancel(): void;
}) {
  const [firstName, setFirstName] = useState(agent.firstName);
  const [lastName, setLastName] = useState(agent.lastName);
  const [position, setPosition] = useState(agent.position);
  const [roles, setRoles] = useState<Role[]>(agent.roles);
  const [chosen, setChosen] = useState<string[]>(agent.services);
  const id = (k: string) => `edit-${agent.username.replace(/[^a-z0-9]/g, "-")}-${k}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (await onSave({ firstName, lastName, position, roles, services: chosen })) onCancel();
  }

  return (
    <form onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <fieldset>
        <legend>{t.agents.edit(agent.username)}</legend>
        {(
          [
            ["firstName", t.agents.firstName, firstName, setFirstName],
            ["lastName", t.agents.lastName, lastName, setLastName],
            ["position", t.agents.position, position, setPosition],
          ] as const
        ).map(([key, label, value, set]) => (
          <div className="field" key={key}>
            <label htmlFor={id(key)}>{label}</label>
            <input id={id(key)} value={value} onChange={(e) => set(e.target.value)} />
          </div>
        ))}
        <fieldset>
          <legend>{t.agents.roles}</legend>
          {STAFF_ROLES.map((r) => (
            <label key={r} className="check">
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={() => setRoles((l) => toggle(l, r))}
              />{" "}
              {ROLE_LABELS[r]}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>{t.agents.services}</legend>
          {services.map((s) => (
            <label key={s.id} className="check">
              <input
                type="checkbox"
                checked={chosen.includes(s.id)}
                onChange={() => setChosen((l) => toggle(l, s.id))}
              />{" "}
              {s.name}
            </label>
          ))}
        </fieldset>
      </fieldset>
      <p className="buttons">
        <button type="submit" className="primary">
          {t.agents.editRoles}
        </button>
        <button type="button" onClick={onCancel}>
          {t.services.cancel}
        </button>
      </p>
    </form>
  );
}
