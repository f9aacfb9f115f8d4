import { type FormEvent, useState } from "react";
import type { Service } from "../../../domain/catalogue";
import type { FieldIssue } from "../../../domain/zod-fr";
import { saveService } from "../../sync/commune-admin-client";
import { useWorkstation } from "../shared/app-context";
import { TextField } from "../shared/TextField";
import { byField, configChanged, trySave } from "./admin-save";
import { frCommune as t } from "./fr-commune-admin";

const KEYS = ["name", "address", "postcode", "town", "phone", "email", "hours"] as const;
type Key = (typeof KEYS)[number];
const REQUIRED: readonly Key[] = ["name", "address", "phone"];

/** The services' contact details, as the AR prints them (R112-5 2°). */
export function ServicesPanel({
  services,
  onSaved,
}: {
  services: (Service & { version: number })[];
  onSaved(): void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const current = services.find((s) => s.id === editing);
  return (
    <section aria-labelledby="services-title">
      <h2 id="services-title">{t.services.caption}</h2>
      {notice && (
        <p className="success" role="status">
          {notice}
        </p>
      )}
      {current ? (
        <ServiceForm
          key={`${current.id}@${current.version}`}
          service={current}
          onCancel={() => setEditing(null)}
          onSaved={() => {
            setNotice(t.services.saved(current.name));
            setEditing(null);
            configChanged();
            onSaved();
          }}
        />
      ) : (
        <table className="admin-catalogue">
          <caption className="visually-hidden">{t.services.caption}</caption>
          <thead>
            <tr>
              <th scope="col">{t.services.name}</th>
              <th scope="col">{t.services.address}</th>
              <th scope="col">{t.services.phone}</th>
              <th scope="col">{t.services.hours}</th>
              <th scope="col">{t.agents.actions}</th>
            </tr>
          </thead>
          <tbody>
            {services.map((s) => (
              <tr key={s.id}>
                <th scope="row">{s.name}</th>
                <td>
                  {[s.address, [s.postcode, s.town].filter(Boolean).join(" ")].filter(Boolean).join(", ")}
                </td>
                <td>{s.phone}</td>
                <td>{s.hours ?? ""}</td>
                <td>
                  <button
                    type="button"
                    aria-label={t.services.edit(s.name)}
                    onClick={() => {
                      setNotice(null);
                      setEditing(s.id);
                    }}
                  >
                    {t.services.editShort}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ServiceForm({
  service,
  onSaved,
  onCancel,
}: {
  service: Service & { version: number };
  onSaved(): void;
  onCancel(): void;
}) {
  const { settings, session } = useWorkstation();
  const [draft, setDraft] = useState(
    () => Object.fromEntries(KEYS.map((k) => [k, String(service[k] ?? "")])) as Record<Key, string>,
  );
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const errors = byField(issues);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const outcome = await trySave(() =>
      saveService(settings.serverUrl, session, service.id, { ...draft, baseVersion: service.version }),
    );
    if (outcome.ok) return onSaved();
    setIssues(outcome.issues.map((i) => ({ ...i, field: `service.${i.field}` })));
    setMessage(outcome.message);
  }

  return (
    <form onSubmit={(e) => void submit(e)} onKeyDown={(e) => e.key === "Escape" && onCancel()}>
      <fieldset>
        <legend>{t.services.edit(service.name)}</legend>
        {KEYS.map((k) => (
          <TextField
            key={k}
            path={`service.${k}`}
            label={t.services[k]}
            value={draft[k]}
            onChange={(v) => setDraft((d) => ({ ...d, [k]: v }))}
            error={errors[`service.${k}`]}
            required={REQUIRED.includes(k)}
          />
        ))}
      </fieldset>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <p className="buttons">
        <button type="submit" className="primary">
          {t.services.save}
        </button>
        <button type="button" onClick={onCancel}>
          {t.services.cancel}
        </button>
      </p>
    </form>
  );
}
