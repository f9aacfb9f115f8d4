import { FIELD_KINDS, type FieldDef } from "../../../domain/catalogue";
import { fieldId } from "../shared/field-id";
import { TextField } from "../shared/TextField";
import { type FieldDraft, keyFromLabel, newField } from "./demarche-draft";
import { frAdmin as t } from "./fr-admin";

type Props = {
  fields: FieldDraft[];
  onChange(fields: FieldDraft[]): void;
  /** Messages by form path ("fields.2.key"). */
  errors: Record<string, string>;
  /** A field was added or removed: messages on numbered paths no longer point at the right row. */
  onRowsChanged(): void;
};

/** The démarche's own form fields: add, remove, rename (label), type, required, choices. */
export function FieldsEditor({ fields, onChange, errors, onRowsChanged }: Props) {
  const update = (i: number, patch: Partial<FieldDraft>) =>
    onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)));
  const add = () => {
    const added = newField();
    onChange([...fields, added]);
    onRowsChanged();
    // Next frame: the new row is in the DOM then.
    requestAnimationFrame(() => document.getElementById(fieldId(`fields.${fields.length}.label`))?.focus());
  };
  const remove = (i: number) => {
    onChange(fields.filter((_, j) => j !== i));
    onRowsChanged();
    requestAnimationFrame(() => document.getElementById("admin-add-field")?.focus());
  };

  return (
    <fieldset>
      <legend>{t.form.fieldsLegend}</legend>
      {errors.fields && (
        <p id={`${fieldId("fields")}-error`} className="field-error">
          {errors.fields}
        </p>
      )}
      {fields.length === 0 && <p className="help">{t.form.noFields}</p>}
      {fields.map((f, i) => {
        const path = (member: string) => `fields.${i}.${member}`;
        return (
          <fieldset key={f.uid} data-testid="admin-field">
            <legend>{t.form.field(i + 1)}</legend>
            {errors[`fields.${i}`] && <p className="field-error">{errors[`fields.${i}`]}</p>}
            <div className="row">
              <TextField
                path={path("label")}
                label={t.form.fieldLabel}
                value={f.label}
                required
                error={errors[path("label")]}
                onChange={(label) =>
                  update(i, f.keyTouched ? { label } : { label, key: keyFromLabel(label) })
                }
              />
              <TextField
                path={path("key")}
                label={f.stored ? t.form.fieldKeyFixed : t.form.fieldKey}
                value={f.key}
                required={!f.stored}
                help={f.stored ? undefined : t.form.fieldKeyHelp}
                error={errors[path("key")]}
                input={{ readOnly: f.stored, spellCheck: false, autoComplete: "off" }}
                onChange={(key) => update(i, { key, keyTouched: true })}
              />
              <div className="field">
                <label htmlFor={fieldId(path("kind"))}>{t.form.fieldKind}</label>
                <select
                  id={fieldId(path("kind"))}
                  value={f.kind}
                  aria-invalid={errors[path("kind")] ? true : undefined}
                  onChange={(e) => update(i, { kind: e.target.value as FieldDef["kind"] })}
                >
                  {FIELD_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {t.kinds[k]}
                    </option>
                  ))}
                </select>
                {errors[path("kind")] && <p className="field-error">{errors[path("kind")]}</p>}
              </div>
              <div className="field checkbox">
                <input
                  id={fieldId(path("required"))}
                  type="checkbox"
                  checked={f.required}
                  onChange={(e) => update(i, { required: e.target.checked })}
                />
                <label htmlFor={fieldId(path("required"))}>{t.form.fieldRequired}</label>
              </div>
            </div>
            {f.kind === "select" && (
              <TextField
                path={path("options")}
                label={t.form.fieldOptions}
                value={f.options}
                multiline
                required
                help={t.form.fieldOptionsHelp}
                error={errors[path("options")]}
                onChange={(options) => update(i, { options })}
              />
            )}
            <p className="buttons">
              <button type="button" onClick={() => remove(i)} aria-label={t.form.removeField(f.label)}>
                {t.form.removeFieldShort}
              </button>
            </p>
          </fieldset>
        );
      })}
      <p className="buttons">
        <button type="button" id="admin-add-field" onClick={add}>
          {t.form.addField}
        </button>
      </p>
    </fieldset>
  );
}
