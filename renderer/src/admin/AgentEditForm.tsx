import { type FormEvent, useState } from "react";
import type { AgentCard } from "../../../domain/commune";
import type { Role } from "../../../domain/roles";
import { AgentAccessFields } from "./AgentAccessFields";
import { frCommune as t } from "./fr-commune-admin";

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
        <AgentAccessFields
          roles={roles}
          setRoles={setRoles}
          chosen={chosen}
          setChosen={setChosen}
          services={services}
        />
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
