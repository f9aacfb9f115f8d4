import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Citizen } from "../../../domain/request";
import { findContacts } from "../../db/contacts";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";
import { TextField } from "../shared/TextField";
import { useDebounced } from "../shared/use-debounced";
import { Combobox } from "./Combobox";
import type { FormState } from "./form-state";

type CitizenForm = FormState["citizen"];

function fromCitizen(c: Citizen): CitizenForm {
  return {
    lastName: c.lastName,
    firstName: c.firstName,
    email: c.email ?? "",
    phone: c.phone ?? "",
    line: c.address?.line ?? "",
    postcode: c.address?.postcode ?? "",
    city: c.address?.city ?? "",
  };
}

const contactSummary = (c: Citizen) =>
  [
    c.address ? `${c.address.line}, ${c.address.postcode} ${c.address.city}` : "",
    c.phone ?? "",
    c.email ?? "",
  ]
    .filter(Boolean)
    .join(" · ");

export function CitizenSection(props: {
  value: CitizenForm;
  onChange(c: CitizenForm): void;
  errors: Record<string, string>;
}) {
  const { data } = useWorkstation();
  const [query, setQuery] = useState("");
  const [picked, setPicked] = useState<string | null>(null);
  const q = useDebounced(query.trim(), 200);
  const contacts = useQuery({
    queryKey: ["requests", "contacts", q],
    queryFn: () => findContacts(data, q),
    enabled: q.length >= 2,
  });
  const list = q.length >= 2 ? (contacts.data ?? []) : [];
  const set = (key: keyof CitizenForm) => (v: string) => props.onChange({ ...props.value, [key]: v });
  const e = props.errors;
  return (
    <fieldset>
      <legend>{fr.newRequest.citizenTitle}</legend>
      <Combobox
        id="citizen-search"
        label={fr.newRequest.citizenSearch}
        value={query}
        onInput={setQuery}
        options={list.map((c, i) => ({
          id: String(i),
          label: `${c.lastName} ${c.firstName}`,
          hint: contactSummary(c),
        }))}
        emptyText={contacts.isSuccess ? fr.newRequest.citizenSearchNone : undefined}
        onSelect={(o) => {
          const c = list[Number(o.id)];
          if (!c) return;
          props.onChange(fromCitizen(c));
          setPicked(`${c.firstName} ${c.lastName}`);
          setQuery("");
        }}
      />
      {picked && (
        <p className="help" role="status">
          {fr.newRequest.citizenPicked(picked)}
        </p>
      )}
      <div className="row">
        <TextField
          path="citizen.lastName"
          label={fr.newRequest.lastName}
          required
          value={props.value.lastName}
          onChange={set("lastName")}
          error={e["citizen.lastName"]}
          input={{ autoComplete: "off" }}
        />
        <TextField
          path="citizen.firstName"
          label={fr.newRequest.firstName}
          required
          value={props.value.firstName}
          onChange={set("firstName")}
          error={e["citizen.firstName"]}
          input={{ autoComplete: "off" }}
        />
      </div>
      <div className="row">
        <TextField
          path="citizen.phone"
          label={fr.newRequest.phone}
          value={props.value.phone}
          onChange={set("phone")}
          error={e["citizen.phone"]}
          input={{ type: "tel", autoComplete: "off" }}
        />
        <TextField
          path="citizen.email"
          label={fr.newRequest.email}
          value={props.value.email}
          onChange={set("email")}
          error={e["citizen.email"]}
          input={{ type: "email", autoComplete: "off" }}
        />
      </div>
      <TextField
        path="citizen.address.line"
        label={fr.newRequest.addressLine}
        value={props.value.line}
        onChange={set("line")}
        error={e["citizen.address.line"]}
        input={{ autoComplete: "off" }}
      />
      <div className="row">
        <TextField
          path="citizen.address.postcode"
          label={fr.newRequest.postcode}
          value={props.value.postcode}
          onChange={set("postcode")}
          error={e["citizen.address.postcode"]}
          input={{ inputMode: "numeric", maxLength: 5, autoComplete: "off" }}
        />
        <TextField
          path="citizen.address.city"
          label={fr.newRequest.city}
          value={props.value.city}
          onChange={set("city")}
          error={e["citizen.address.city"]}
          input={{ autoComplete: "off" }}
        />
      </div>
    </fieldset>
  );
}
