import type { Dispatch, SetStateAction } from "react";
import { ROLE_LABELS, type Role } from "../../../domain/roles";
import { frCommune as t } from "./fr-commune-admin";

/** Roles an admin gives to people (portal and server are the service accounts'). */
export const STAFF_ROLES: Role[] = ["agent", "service_agent", "supervisor", "admin"];

const toggle = <T,>(list: T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

/** What an agent may do and where: roles and services, as checkboxes (new agent and edit forms). */
export function AgentAccessFields({
  roles,
  setRoles,
  chosen,
  setChosen,
  services,
}: {
  roles: Role[];
  setRoles: Dispatch<SetStateAction<Role[]>>;
  chosen: string[];
  setChosen: Dispatch<SetStateAction<string[]>>;
  services: { id: string; name: string }[];
}) {
  return (
    <>
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
    </>
  );
}
