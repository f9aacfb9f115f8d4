import type { Demarche, FieldDef } from "../../../domain/catalogue";
import { fr } from "../i18n/fr";
import { fieldId } from "../shared/field-id";
import { TextField } from "../shared/TextField";

type Props = {
  demarche: Demarche;
  values: Record<string, string | boolean>;
  onChange(key: string, value: string | boolean): void;
  errors: Record<string, string>;
};

/** The démarche's own fields, drawn from the catalogue's definitions (data, not code). */
export function DemarcheFields({ demarche, values, onChange, errors }: Props) {
  if (demarche.fields.length === 0) return null;
  return (
    <fieldset>
      <legend>{fr.newRequest.demarcheFields}</legend>
      {demarche.fields.map((def) => (
        <DemarcheField
          key={def.key}
          def={def}
          value={values[def.key]}
          onChange={(v) => onChange(def.key, v)}
          error={errors[`fields.${def.key}`]}
        />
      ))}
    </fieldset>
  );
}

function DemarcheField(props: {
  def: FieldDef;
  value: string | boolean | undefined;
  onChange(v: string | boolean): void;
  error: string | undefined;
}) {
  const { def, error } = props;
  const path = `fields.${def.key}`;
  const id = fieldId(path);
  const text = typeof props.value === "string" ? props.value : "";
  const describedBy =
    [def.help ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const extra = (
    <>
      {def.help && (
        <p id={`${id}-help`} className="help">
          {def.help}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </>
  );
  const label = (
    <>
      {def.label}
      {def.required && def.kind !== "boolean" && <span className="req">{fr.common.requiredMark}</span>}
    </>
  );
  if (def.kind === "boolean") {
    return (
      <div className={`field checkbox${error ? " invalid" : ""}`}>
        <input
          id={id}
          type="checkbox"
          checked={props.value === true}
          onChange={(e) => props.onChange(e.target.checked)}
          aria-describedby={describedBy}
        />
        <label htmlFor={id}>{label}</label>
        {extra}
      </div>
    );
  }
  if (def.kind === "select") {
    return (
      <div className={`field${error ? " invalid" : ""}`}>
        <label htmlFor={id}>{label}</label>
        <select
          id={id}
          value={text}
          onChange={(e) => props.onChange(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          aria-required={def.required || undefined}
        >
          <option value="">—</option>
          {(def.options ?? []).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
        {extra}
      </div>
    );
  }
  const type = { date: "date", number: "text", email: "email", phone: "tel" }[def.kind as string] ?? "text";
  return (
    <TextField
      path={path}
      label={def.label}
      value={text}
      onChange={props.onChange}
      error={error}
      help={def.help}
      required={def.required}
      multiline={def.kind === "textarea"}
      input={{
        type,
        ...(def.kind === "number" ? { inputMode: "decimal" as const } : {}),
        maxLength: def.maxLength,
      }}
    />
  );
}
