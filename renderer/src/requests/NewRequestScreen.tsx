import { type FormEvent, type KeyboardEvent, useEffect, useMemo, useRef, useState } from "react";
import type { Demarche } from "../../../domain/catalogue";
import { CHANNEL_LABELS } from "../../../domain/channels";
import type { GuichetRequest } from "../../../domain/request";
import type { FieldIssue } from "../../../domain/zod-fr";
import { makeEvent } from "../../db/events";
import { fr } from "../i18n/fr";
import { forgetWork, keepIfLocked, keptWork } from "../session/work-in-progress";
import { signerOf, useWorkstation } from "../shared/app-context";
import { navigate } from "../shared/routes";
import { ScreenTitle } from "../shared/ScreenTitle";
import { TextField } from "../shared/TextField";
import { AttachmentsField } from "./AttachmentsField";
import { ChannelPicker } from "./ChannelPicker";
import { CitizenSection } from "./CitizenSection";
import { DemarcheFields } from "./DemarcheFields";
import { DemarchePicker } from "./DemarchePicker";
import { DuplicateSuggestions } from "./DuplicateSuggestions";
import { ErrorSummary } from "./ErrorSummary";
import { FiledBySection, PostalDates } from "./FormSections";
import { emptyForm, type FormState, hasPlaceField, placeOf } from "./form-state";
import { saveNewRequest } from "./save-request";

const DRAFT_KEY = "new-request";

/** One flow for every door: channel, démarche, citizen, the démarche's fields, then Ctrl+Enter. */
export function NewRequestScreen() {
  const ws = useWorkstation();
  const [form, setForm] = useState<FormState>(
    () => keptWork<FormState>(DRAFT_KEY) ?? emptyForm(ws.prefs.defaultChannel),
  );
  // The idle lock takes the form off the page: what was typed comes back at unlock.
  const latest = useRef(form);
  latest.current = form;
  useEffect(() => {
    forgetWork(DRAFT_KEY);
    return () => keepIfLocked(DRAFT_KEY, latest.current);
  }, []);
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const formRef = useRef<HTMLFormElement>(null);
  const demarche = useMemo(
    () => ws.catalogue.demarches.find((d) => d.id === form.demarcheId),
    [ws.catalogue, form.demarcheId],
  );
  const errors = useMemo(() => {
    const out: Record<string, string> = {};
    for (const i of issues) out[i.field] ??= i.message;
    return out;
  }, [issues]);

  useEffect(() => {
    document.getElementById(`channel-${ws.prefs.defaultChannel}`)?.focus();
  }, [ws.prefs.defaultChannel]);

  const patch = (p: Partial<FormState>) => setForm((f) => ({ ...f, ...p }));

  async function save() {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      const res = await saveNewRequest(ws, form, demarche);
      if (res.ok) {
        navigate({ name: "saved", id: res.request.id });
        return;
      }
      setIssues(res.issues);
      requestAnimationFrame(() => document.getElementById("error-summary")?.focus());
    } catch (err) {
      setFailure(fr.newRequest.saveError((err as Error).message));
    } finally {
      setBusy(false);
    }
  }

  async function link(r: GuichetRequest) {
    const signer = signerOf(ws);
    if (!signer) {
      setFailure(fr.newRequest.noWorkstationCode);
      return;
    }
    await ws.data.repo.addEvents(r.id, [makeEvent(signer, "note", { text: linkNote(form, r, demarche) })]);
    navigate({ name: "request", id: r.id });
  }

  function onSubmit(e: FormEvent) {
    e.preventDefault();
    void save();
  }

  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => saveOnCtrlEnter(e, () => void save());

  const selectDemarche = (d: Demarche | undefined) =>
    setForm((f) => ({
      ...f,
      demarcheId: d?.id ?? "",
      subject: f.subject === currentLabel(f) ? (d?.label ?? "") : f.subject,
    }));
  const currentLabel = (f: FormState) =>
    ws.catalogue.demarches.find((d) => d.id === f.demarcheId)?.label ?? "";

  return (
    <>
      <ScreenTitle focus={false}>{fr.newRequest.title}</ScreenTitle>
      {!ws.workstationCode && (
        <p className="warning" role="alert">
          {fr.newRequest.noWorkstationCode}
        </p>
      )}
      <ErrorSummary issues={issues} />
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      <form ref={formRef} noValidate onSubmit={onSubmit} onKeyDown={onKeyDown} className="new-request">
        <ChannelPicker value={form.channel} onChange={(channel) => patch({ channel })} />
        <DemarchePicker
          catalogue={ws.catalogue}
          selected={demarche}
          onSelect={selectDemarche}
          error={errors.demarche}
        />
        <TextField
          path="subject"
          label={fr.newRequest.subject}
          value={form.subject}
          onChange={(subject) => patch({ subject })}
          error={errors.subject}
          input={{ maxLength: 200 }}
        />
        <CitizenSection value={form.citizen} onChange={(citizen) => patch({ citizen })} errors={errors} />
        <DuplicateSuggestions
          demarche={demarche}
          lastName={form.citizen.lastName}
          firstName={form.citizen.firstName}
          place={placeOf(form, demarche)}
          onLink={link}
        />
        {demarche && (
          <DemarcheFields
            demarche={demarche}
            values={form.fields}
            onChange={(key, value) => setForm((f) => ({ ...f, fields: { ...f.fields, [key]: value } }))}
            errors={errors}
          />
        )}
        {demarche?.needsLocation && !hasPlaceField(demarche) && (
          <TextField
            path="location.address"
            label={fr.newRequest.location}
            required
            value={form.place}
            onChange={(place) => patch({ place })}
            error={errors["location.address"]}
          />
        )}
        {form.channel === "courrier" && <PostalDates form={form} patch={patch} errors={errors} />}
        <FiledBySection form={form} patch={patch} errors={errors} />
        <AttachmentsField value={form.attachments} onChange={(attachments) => patch({ attachments })} />
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? fr.newRequest.saving : fr.newRequest.save} <kbd>Ctrl+Entrée</kbd>
          </button>
        </div>
      </form>
    </>
  );
}

/** The note left on an existing request when the citizen's new contact is about it. */
function linkNote(form: FormState, r: GuichetRequest, demarche: Demarche | undefined): string {
  const who = `${form.citizen.firstName} ${form.citizen.lastName}`.trim() || r.citizen.lastName;
  return fr.newRequest.linkNote(
    CHANNEL_LABELS[form.channel],
    who,
    form.subject.trim() || demarche?.label || "",
  );
}

/** Ctrl+Enter saves; Enter in a one-line field must not save a half-typed request. */
function saveOnCtrlEnter(e: KeyboardEvent<HTMLFormElement>, save: () => void): void {
  if (e.key !== "Enter") return;
  if (e.ctrlKey || e.metaKey) {
    e.preventDefault();
    save();
    return;
  }
  const t = e.target as HTMLElement;
  if (t.tagName === "INPUT" && (t as HTMLInputElement).type !== "submit") e.preventDefault();
}
