import { useMemo, useState } from "react";
import type { Catalogue, Demarche } from "../../../domain/catalogue";
import { searchKey } from "../../../domain/history";
import { fr } from "../i18n/fr";
import { fieldId } from "../shared/field-id";
import { Combobox } from "./Combobox";

/** Démarches whose label, description or service contain every word typed (accents ignored). */
export function matchDemarches(catalogue: Catalogue, text: string): Demarche[] {
  const words = searchKey(text).split(" ").filter(Boolean);
  const services = new Map(catalogue.services.map((s) => [s.id, s.name]));
  return catalogue.demarches.filter((d) => {
    const hay = searchKey(`${d.label} ${d.description} ${services.get(d.service) ?? ""}`);
    return words.every((w) => hay.includes(w));
  });
}

export function DemarchePicker(props: {
  catalogue: Catalogue;
  selected: Demarche | undefined;
  onSelect(d: Demarche | undefined): void;
  error?: string | undefined;
}) {
  const [text, setText] = useState(props.selected?.label ?? "");
  const matches = useMemo(() => matchDemarches(props.catalogue, text).slice(0, 12), [props.catalogue, text]);
  const services = new Map(props.catalogue.services.map((s) => [s.id, s.name]));
  const id = fieldId("demarche");
  return (
    <div className="field">
      <Combobox
        id={id}
        label={fr.newRequest.demarche}
        required
        value={text}
        placeholder={fr.newRequest.demarchePlaceholder}
        emptyText={fr.newRequest.demarcheNone}
        options={matches.map((d) => ({
          id: d.id,
          label: d.label,
          hint: services.get(d.service) ?? d.service,
        }))}
        onInput={(t) => {
          setText(t);
          if (props.selected && t !== props.selected.label) props.onSelect(undefined);
        }}
        onSelect={(o) => {
          const d = props.catalogue.demarches.find((x) => x.id === o.id);
          setText(d?.label ?? "");
          props.onSelect(d);
        }}
        describedBy={props.error ? `${id}-error` : undefined}
        invalid={!!props.error}
      />
      {props.error && (
        <p id={`${id}-error`} className="field-error">
          {props.error}
        </p>
      )}
    </div>
  );
}
