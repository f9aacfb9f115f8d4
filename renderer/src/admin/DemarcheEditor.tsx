import { type FormEvent, useEffect, useState } from "react";
import type { Demarche, Service } from "../../../domain/catalogue";
import type { FieldIssue } from "../../../domain/zod-fr";
import { saveDemarche } from "../../sync/admin-client";
import { NetworkError } from "../../sync/http";
import { ApiError } from "../../sync/server-api";
import { ErrorSummary } from "../requests/ErrorSummary";
import { useWorkstation } from "../shared/app-context";
import { fieldId } from "../shared/field-id";
import { ScreenTitle } from "../shared/ScreenTitle";
import { TextField } from "../shared/TextField";
import { type DemarcheDraft, draftBody, formPath } from "./demarche-draft";
import { FieldsEditor } from "./FieldsEditor";
import { frAdmin as t } from "./fr-admin";

type Props = {
  initial: DemarcheDraft;
  services: Service[];
  onSaved(saved: Demarche, changed: boolean): void;
  onCancel(): void;
};

/** One démarche's form; the server validates (French messages placed next to the fields at fault). */
export function DemarcheEditor({ initial, services, onSaved, onCancel }: Props) {
  const { settings, session } = useWorkstation();
  const [draft, setDraft] = useState(initial);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const errors: Record<string, string> = {};
  for (const i of issues) errors[i.field] ??= i.message;

  useEffect(() => {
    if (issues.length > 0) document.getElementById("error-summary")?.focus();
  }, [issues]);

  const set = (patch: Partial<DemarcheDraft>, ...paths: string[]) => {
    setDraft((d) => ({ ...d, ...patch }));
    if (paths.length > 0) setIssues((list) => list.filter((i) => !paths.includes(i.field)));
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setMessage(null);
    if (draft.isNew && !draft.id.trim()) {
      setIssues([{ field: "id", message: "Ce champ est obligatoire." }]);
      return;
    }
    setSaving(true);
    try {
      const res = await saveDemarche(settings.serverUrl, session, draft.id.trim(), draftBody(draft));
      setIssues([]);
      onSaved(res.demarche, res.changed);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.errors.length > 0) {
        setIssues(err.errors.map((i) => ({ field: formPath(i.field), message: i.message })));
      } else if (err instanceof NetworkError || err instanceof TypeError) {
        setMessage(t.form.offline);
      } else {
        setMessage(err instanceof ApiError ? t.form.refused(err.reason) : String(err));
      }
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <ScreenTitle>
        {draft.isNew ? t.form.titleNew : t.form.titleEdit(initial.label, initial.baseVersion)}
      </ScreenTitle>
      <ErrorSummary issues={issues} />
      <form onSubmit={submit} noValidate aria-label={t.title}>
        {draft.isNew && (
          <TextField
            path="id"
            label={t.form.id}
            value={draft.id}
            required
            help={t.form.idHelp}
            error={errors.id}
            input={{ spellCheck: false, autoComplete: "off" }}
            onChange={(id) => set({ id }, "id")}
          />
        )}
        <TextField
          path="label"
          label={t.form.label}
          value={draft.label}
          required
          error={errors.label}
          onChange={(label) => set({ label }, "label")}
        />
        <div className={`field${errors.service ? " invalid" : ""}`}>
          <label htmlFor={fieldId("service")}>{t.form.service}</label>
          <select
            id={fieldId("service")}
            value={draft.service}
            aria-invalid={errors.service ? true : undefined}
            aria-describedby={`${fieldId("service")}-help${errors.service ? ` ${fieldId("service")}-error` : ""}`}
            onChange={(e) => set({ service: e.target.value }, "service")}
          >
            {services.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
          <p id={`${fieldId("service")}-help`} className="help">
            {t.form.serviceHelp}
          </p>
          {errors.service && (
            <p id={`${fieldId("service")}-error`} className="field-error">
              {errors.service}
            </p>
          )}
        </div>
        <fieldset>
          <legend>{t.form.ruleLegend}</legend>
          <div className="field">
            <label htmlFor={fieldId("rule.kind")}>{t.form.ruleKind}</label>
            <select
              id={fieldId("rule.kind")}
              value={draft.ruleKind}
              onChange={(e) =>
                set({ ruleKind: e.target.value as DemarcheDraft["ruleKind"] }, "rule.delay", "rule.kind")
              }
            >
              {(["none", "SVA", "SVR"] as const).map((k) => (
                <option key={k} value={k}>
                  {t.rules[k]}
                </option>
              ))}
            </select>
          </div>
          {draft.ruleKind !== "none" && (
            <div className="row">
              <TextField
                path="rule.delay"
                label={t.form.delay}
                value={draft.delay}
                required
                error={errors["rule.delay"]}
                input={{ inputMode: "numeric" }}
                onChange={(delay) => set({ delay }, "rule.delay")}
              />
              <div className="field">
                <label htmlFor={fieldId("rule.unit")}>{t.form.delayUnit}</label>
                <select
                  id={fieldId("rule.unit")}
                  value={draft.delayUnit}
                  onChange={(e) => set({ delayUnit: e.target.value as "months" | "days" }, "rule.delay")}
                >
                  <option value="months">{t.form.months}</option>
                  <option value="days">{t.form.days}</option>
                </select>
              </div>
              <p className="help" id={fieldId("rule.onCorrection")}>
                {t.corrections[draft.ruleKind === "SVA" ? "SVA" : "SVR"]}
              </p>
            </div>
          )}
        </fieldset>
        <TextField
          path="retentionDays"
          label={t.form.retentionDays}
          value={draft.retentionDays}
          required
          help={t.form.retentionHelp}
          error={errors.retentionDays}
          input={{ inputMode: "numeric" }}
          onChange={(retentionDays) => set({ retentionDays }, "retentionDays")}
        />
        <div className="field checkbox">
          <input
            id={fieldId("online")}
            type="checkbox"
            checked={draft.online}
            onChange={(e) => set({ online: e.target.checked }, "online")}
          />
          <label htmlFor={fieldId("online")}>{t.form.online}</label>
          {errors.online && <p className="field-error">{errors.online}</p>}
        </div>
        <FieldsEditor
          fields={draft.fields}
          errors={errors}
          onChange={(fields) => set({ fields })}
          onRowsChanged={() => setIssues((list) => list.filter((i) => !i.field.startsWith("fields")))}
        />
        {message && (
          <p className="error" role="alert">
            {message}
          </p>
        )}
        <div className="buttons">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? t.form.saving : t.form.save}
          </button>
          <button type="button" onClick={onCancel}>
            {t.form.cancel}
          </button>
        </div>
      </form>
    </>
  );
}
