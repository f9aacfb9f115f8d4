import { type FormEvent, useCallback, useState } from "react";
import type { Demarche } from "../../../domain/catalogue";
import type { FieldIssue } from "../../../domain/zod-fr";
import {
  fetchNoticeTemplates,
  type NoticeTemplatesListing,
  saveNoticeTemplates,
} from "../../sync/admin-client";
import type { Credentials } from "../../sync/http";
import { useWorkstation } from "../shared/app-context";
import { ScreenTitle } from "../shared/ScreenTitle";
import { byField, trySave } from "./admin-save";
import { frAdmin } from "./fr-admin";
import { useAdminListing } from "./use-admin-listing";

const t = frAdmin.notices;

type Draft = Record<string, { own: boolean; subject: string; body: string }>;

/**
 * The wording of the notices a démarche's citizens receive (one subject and body per kind), edited
 * by an admin and saved by the server (checked, versioned). A kind left to the default keeps the
 * standard text; the legal mentions are always added by the server after the text written here.
 */
export function NoticeTemplatesEditor({ demarche, onDone }: { demarche: Demarche; onDone(): void }) {
  const fetcher = useCallback(
    (serverUrl: string, creds: Credentials) => fetchNoticeTemplates(serverUrl, creds, demarche.id),
    [demarche.id],
  );
  const { load, reload } = useAdminListing(fetcher);
  // Kept here: the form is remounted on the new version once saved, which would lose its own state.
  const [saved, setSaved] = useState<string | null>(null);
  return (
    <>
      <ScreenTitle>{t.title(demarche.label)}</ScreenTitle>
      {load.kind === "loading" && <p role="status">{frAdmin.loading}</p>}
      {load.kind !== "ready" && load.kind !== "loading" && (
        <p className="error" role="alert">
          {load.kind === "error" ? frAdmin.loadFailed(load.message) : frAdmin.needsServer}
        </p>
      )}
      {load.kind === "ready" && (
        <TemplatesForm
          key={load.listing.version}
          listing={load.listing}
          demarche={demarche}
          onSaved={(version) => {
            setSaved(t.saved(version));
            void reload();
          }}
          onEdit={() => setSaved(null)}
        />
      )}
      {saved && (
        <p className="success" role="status">
          {saved}
        </p>
      )}
      <p className="buttons">
        <button type="button" onClick={onDone}>
          {t.back}
        </button>
      </p>
    </>
  );
}

function TemplatesForm({
  listing,
  demarche,
  onSaved,
  onEdit,
}: {
  listing: NoticeTemplatesListing;
  demarche: Demarche;
  onSaved(version: number): void;
  onEdit(): void;
}) {
  const [draft, setDraft] = useState<Draft>(() =>
    Object.fromEntries(
      listing.kinds.map((k) => {
        const own = listing.templates[k.kind];
        return [k.kind, { own: !!own, subject: own?.subject ?? "", body: own?.body ?? "" }];
      }),
    ),
  );
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const { saveAs } = useSaver(demarche.id);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const templates = Object.fromEntries(
      Object.entries(draft)
        .filter(([, d]) => d.own)
        .map(([kind, d]) => [kind, { subject: d.subject, body: d.body }]),
    );
    let version = 0;
    onEdit();
    const outcome = await trySave(async () => {
      version = (await saveAs({ templates, baseVersion: listing.version })).version;
    });
    if (outcome.ok) {
      setIssues([]);
      setMessage(null);
      onSaved(version);
    } else {
      setIssues(outcome.issues);
      setMessage({ ok: false, text: outcome.message ?? t.failed });
    }
  }
  const errors = byField(issues);
  const set = (kind: string, patch: Partial<Draft[string]>) =>
    setDraft((d) => ({ ...d, [kind]: { ...d[kind]!, ...patch } }));

  return (
    <form onSubmit={submit} noValidate data-testid="notice-templates-form">
      <p className="help">{t.intro}</p>
      <p className="help">{t.version(listing.version)}</p>
      {listing.kinds.map((k) => {
        const d = draft[k.kind]!;
        const id = `notice-${k.kind}`;
        return (
          <fieldset key={k.kind}>
            <legend>{k.label}</legend>
            <div className="field checkbox">
              <input
                id={`${id}-own`}
                type="checkbox"
                checked={d.own}
                onChange={(e) => set(k.kind, { own: e.target.checked })}
              />
              <label htmlFor={`${id}-own`}>{t.own}</label>
            </div>
            {d.own && (
              <>
                <TemplateField
                  id={`${id}-subject`}
                  label={t.subject}
                  value={d.subject}
                  onChange={(v) => set(k.kind, { subject: v })}
                  help={t.placeholders(k.subject.map((p) => `{${p}} ${listing.placeholders[p] ?? ""}`))}
                  error={errors[`${k.kind}.subject`]}
                />
                <TemplateField
                  id={`${id}-body`}
                  label={t.body}
                  multiline
                  value={d.body}
                  onChange={(v) => set(k.kind, { body: v })}
                  help={t.placeholders(k.body.map((p) => `{${p}} ${listing.placeholders[p] ?? ""}`))}
                  error={errors[`${k.kind}.body`]}
                />
              </>
            )}
          </fieldset>
        );
      })}
      {message && (
        <p className={message.ok ? "success" : "error"} role={message.ok ? "status" : "alert"}>
          {message.text}
        </p>
      )}
      <p className="buttons">
        <button type="submit">{t.save}</button>
      </p>
    </form>
  );
}

function TemplateField(p: {
  id: string;
  label: string;
  value: string;
  onChange(v: string): void;
  help: string;
  error: string | undefined;
  multiline?: boolean;
}) {
  const describedBy = `${p.id}-help${p.error ? ` ${p.id}-error` : ""}`;
  const common = {
    id: p.id,
    value: p.value,
    "aria-describedby": describedBy,
    "aria-invalid": p.error ? true : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={p.id}>{p.label}</label>
      {p.multiline ? (
        <textarea {...common} rows={6} maxLength={4000} onChange={(e) => p.onChange(e.target.value)} />
      ) : (
        <input {...common} type="text" maxLength={150} onChange={(e) => p.onChange(e.target.value)} />
      )}
      <p id={`${p.id}-help`} className="help">
        {p.help}
      </p>
      {p.error && (
        <p id={`${p.id}-error`} className="field-error">
          {p.error}
        </p>
      )}
    </div>
  );
}

function useSaver(id: string) {
  const { settings, session } = useWorkstation();
  return {
    saveAs: (body: { templates: Record<string, { subject: string; body: string }>; baseVersion: number }) =>
      saveNoticeTemplates(settings.serverUrl, session, id, body),
  };
}
