import { fr } from "../i18n/fr";
import { TextField } from "../shared/TextField";
import type { FormState } from "./form-state";

type SectionProps = {
  form: FormState;
  patch(p: Partial<FormState>): void;
  errors: Record<string, string>;
};

/** A letter's dates: its postmark and the day the town hall received it (it starts the deadlines). */
export function PostalDates({ form, patch, errors }: SectionProps) {
  return (
    <fieldset>
      <legend>{fr.newRequest.postalTitle}</legend>
      <div className="row">
        <TextField
          path="postmarkOn"
          label={fr.newRequest.postmarkOn}
          value={form.postmarkOn}
          onChange={(postmarkOn) => patch({ postmarkOn })}
          error={errors.postmarkOn}
          input={{ type: "date" }}
        />
        <TextField
          path="receivedOn"
          label={fr.newRequest.receivedOn}
          required
          value={form.receivedOn}
          onChange={(receivedOn) => patch({ receivedOn })}
          error={errors.receivedOn}
          input={{ type: "date" }}
        />
      </div>
    </fieldset>
  );
}

/** Someone filing for the citizen: their name and relation. */
export function FiledBySection({ form, patch, errors }: SectionProps) {
  return (
    <fieldset>
      <legend>{fr.newRequest.filedByToggle}</legend>
      <div className="field checkbox">
        <input
          id="filed-by-on"
          type="checkbox"
          checked={form.filedBy.on}
          onChange={(e) => patch({ filedBy: { ...form.filedBy, on: e.target.checked } })}
        />
        <label htmlFor="filed-by-on">{fr.newRequest.filedByToggle}</label>
      </div>
      {form.filedBy.on && (
        <div className="row">
          <TextField
            path="filedBy.name"
            label={fr.newRequest.filedByName}
            required
            value={form.filedBy.name}
            onChange={(name) => patch({ filedBy: { ...form.filedBy, name } })}
            error={errors["filedBy.name"]}
          />
          <TextField
            path="filedBy.relation"
            label={fr.newRequest.filedByRelation}
            required
            value={form.filedBy.relation}
            onChange={(relation) => patch({ filedBy: { ...form.filedBy, relation } })}
            error={errors["filedBy.relation"]}
          />
        </div>
      )}
    </fieldset>
  );
}
