import type { InputHTMLAttributes } from "react";
import { fr } from "../i18n/fr";
import { fieldId } from "./field-id";

type Props = {
  /** Dotted path of the value, as validation issues name it (e.g. "citizen.lastName"). */
  path: string;
  label: string;
  value: string;
  onChange(v: string): void;
  error?: string | undefined;
  help?: string | undefined;
  required?: boolean;
  multiline?: boolean;
  input?: InputHTMLAttributes<HTMLInputElement>;
};

/** A labelled input whose error message sits next to it and is announced with it (aria-describedby). */
export function TextField({ path, label, value, onChange, error, help, required, multiline, input }: Props) {
  const id = fieldId(path);
  const describedBy =
    [help ? `${id}-help` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  const common = {
    id,
    value,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": describedBy,
    "aria-required": required || undefined,
  };
  return (
    <div className={`field${error ? " invalid" : ""}`}>
      <label htmlFor={id}>
        {label}
        {required && <span className="req">{fr.common.requiredMark}</span>}
      </label>
      {multiline ? (
        <textarea {...common} rows={3} onChange={(e) => onChange(e.target.value)} />
      ) : (
        <input {...input} {...common} onChange={(e) => onChange(e.target.value)} />
      )}
      {help && (
        <p id={`${id}-help`} className="help">
          {help}
        </p>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
