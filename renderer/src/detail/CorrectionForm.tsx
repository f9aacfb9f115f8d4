import { type FormEvent, useState } from "react";
import type { Demarche } from "../../../domain/catalogue";
import type { GuichetRequest } from "../../../domain/request";
import type { FieldIssue } from "../../../domain/zod-fr";
import { fr } from "../i18n/fr";
import { CitizenSection } from "../requests/CitizenSection";
import { correctRequest } from "../requests/correct-request";
import { DemarcheFields } from "../requests/DemarcheFields";
import { ErrorSummary } from "../requests/ErrorSummary";
import { type FormState, formFromRequest } from "../requests/form-state";
import { useWorkstation } from "../shared/app-context";
import { TextField } from "../shared/TextField";

/** Edits the content of a refused request and saves it again (requestsRepo.replace). */
export function CorrectionForm({
  request,
  demarche,
  onDone,
}: {
  request: GuichetRequest;
  demarche: Demarche;
  onDone(): void;
}) {
  const ws = useWorkstation();
  const [form, setForm] = useState<FormState>(() => formFromRequest(request, demarche));
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const errors: Record<string, string> = {};
  for (const i of issues) errors[i.field] ??= i.message;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const res = await correctRequest(ws, request, form, demarche);
    if (res.ok) onDone();
    else setIssues(res.issues);
  }

  return (
    <form onSubmit={submit} noValidate className="correction" aria-labelledby="correct-title">
      <h2 id="correct-title">{fr.detail.correct}</h2>
      <ErrorSummary issues={issues} />
      <TextField
        path="subject"
        label={fr.newRequest.subject}
        required
        value={form.subject}
        onChange={(subject) => setForm({ ...form, subject })}
        error={errors.subject}
      />
      <CitizenSection
        value={form.citizen}
        onChange={(citizen) => setForm({ ...form, citizen })}
        errors={errors}
      />
      <DemarcheFields
        demarche={demarche}
        values={form.fields}
        onChange={(k, v) => setForm({ ...form, fields: { ...form.fields, [k]: v } })}
        errors={errors}
      />
      <button type="submit" className="primary">
        {fr.detail.correct}
      </button>
    </form>
  );
}
