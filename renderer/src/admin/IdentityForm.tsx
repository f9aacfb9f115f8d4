import { type FormEvent, useState } from "react";
import { type Commune, workstationSecurityOf } from "../../../domain/commune";
import { DEFAULT_STALE_HOURS } from "../../../domain/workstation-status";
import type { FieldIssue } from "../../../domain/zod-fr";
import { saveCommune } from "../../sync/commune-admin-client";
import { frFleet } from "../fleet/fr-fleet";
import { ErrorSummary } from "../requests/ErrorSummary";
import { useWorkstation } from "../shared/app-context";
import { TextField } from "../shared/TextField";
import { byField, trySave } from "./admin-save";
import { frCommune as t } from "./fr-commune-admin";

const TEXT_KEYS = [
  "name",
  "address",
  "postcode",
  "town",
  "phone",
  "email",
  "website",
  "tribunal",
  "tribunalAddress",
] as const;
type TextKey = (typeof TEXT_KEYS)[number];

type Draft = Record<TextKey, string> & {
  logo: string;
  mediator: string;
  mediatorAddress: string;
  region: Commune["policy"]["calendar"]["region"];
  shift: boolean;
  closedDays: string;
  idleLockMinutes: string;
  offlineLoginDays: string;
  fleetStaleHours: string;
};

function draftOf(c: Commune): Draft {
  const text = Object.fromEntries(TEXT_KEYS.map((k) => [k, String(c[k] ?? "")])) as Record<TextKey, string>;
  return {
    ...text,
    logo: c.logo ?? "",
    mediator: c.mediator?.name ?? "",
    mediatorAddress: c.mediator?.address ?? "",
    region: c.policy.calendar.region,
    shift: c.policy.shiftToWorkingDay,
    closedDays: (c.policy.calendar.extraClosedDays ?? []).join("\n"),
    idleLockMinutes: String(workstationSecurityOf(c).idleLockMinutes),
    offlineLoginDays: String(workstationSecurityOf(c).offlineLoginDays),
    fleetStaleHours: String(c.fleetStaleHours ?? DEFAULT_STALE_HOURS),
  };
}

function bodyOf(d: Draft, c: Commune, version: number): Record<string, unknown> {
  const closed = d.closedDays
    .split(/\s+/)
    .map((x) => x.trim())
    .filter(Boolean);
  return {
    ...Object.fromEntries(TEXT_KEYS.map((k) => [k, d[k]])),
    logo: d.logo,
    mediator: { name: d.mediator, address: d.mediatorAddress },
    policy: {
      ...c.policy,
      shiftToWorkingDay: d.shift,
      calendar: { region: d.region, ...(closed.length > 0 ? { extraClosedDays: closed } : {}) },
    },
    // Sent as typed: the server's schema says in French what is out of range.
    workstationSecurity: {
      idleLockMinutes: Number(d.idleLockMinutes.trim() || Number.NaN),
      offlineLoginDays: Number(d.offlineLoginDays.trim() || Number.NaN),
    },
    ...(d.fleetStaleHours.trim() ? { fleetStaleHours: Number(d.fleetStaleHours) } : {}),
    baseVersion: version,
  };
}

const LOGO_TYPES = ["image/png", "image/jpeg"];

/** Identity and calendar in one form: one version of the commune's settings per save. */
export function IdentityForm({
  commune,
  onSaved,
}: {
  commune: Commune & { version: number };
  onSaved(): void;
}) {
  const { settings, session } = useWorkstation();
  const [draft, setDraft] = useState(() => draftOf(commune));
  const [issues, setIssues] = useState<FieldIssue[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const errors = byField(issues);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (saving) return;
    setSaving(true);
    const body = bodyOf(draft, commune, commune.version);
    const outcome = await trySave(() => saveCommune(settings.serverUrl, session, body));
    setSaving(false);
    if (outcome.ok) {
      setIssues([]);
      setMessage(null);
      onSaved();
      return;
    }
    setIssues(outcome.issues.map((i) => ({ ...i, field: `identity.${i.field}` })));
    setMessage(outcome.message);
  }

  function pickLogo(file: File | undefined) {
    if (!file) return;
    if (!LOGO_TYPES.includes(file.type) || file.size > 150_000) {
      setIssues([{ field: "identity.logo", message: "Logo : une image PNG ou JPEG de 150 Ko au plus." }]);
      return;
    }
    const reader = new FileReader();
    reader.onload = () => set({ logo: String(reader.result) });
    reader.readAsDataURL(file);
  }

  const field = (key: TextKey, required = true) => (
    <TextField
      path={`identity.${key}`}
      label={t.identity[key]}
      value={draft[key]}
      onChange={(v) => set({ [key]: v } as Partial<Draft>)}
      error={errors[`identity.${key}`]}
      required={required}
    />
  );

  return (
    <form onSubmit={(e) => void submit(e)} aria-labelledby="identity-legend" data-testid="identity-form">
      <ErrorSummary issues={issues} />
      <fieldset>
        <legend id="identity-legend">{t.identity.legend}</legend>
        <p className="help">{t.version(commune.version, commune.updatedBy)}</p>
        {field("name")}
        {field("address")}
        {field("postcode")}
        {field("town")}
        {field("phone")}
        {field("email")}
        {field("website", false)}
        <div className="field">
          <label htmlFor="identity-logo-file">{t.identity.logo}</label>
          <input
            id="identity-logo-file"
            type="file"
            accept={LOGO_TYPES.join(",")}
            onChange={(e) => pickLogo(e.target.files?.[0])}
          />
          {errors["identity.logo"] && <p className="field-error">{errors["identity.logo"]}</p>}
          {draft.logo && (
            <p>
              <img src={draft.logo} alt={t.identity.logo} className="ar-logo" />{" "}
              <button type="button" onClick={() => set({ logo: "" })}>
                {t.identity.removeLogo}
              </button>
            </p>
          )}
        </div>
        {field("tribunal")}
        {field("tribunalAddress")}
        <TextField
          path="identity.mediator.name"
          label={t.identity.mediator}
          value={draft.mediator}
          onChange={(v) => set({ mediator: v })}
          error={errors["identity.mediator.name"]}
        />
        <TextField
          path="identity.mediator.address"
          label={t.identity.mediatorAddress}
          value={draft.mediatorAddress}
          onChange={(v) => set({ mediatorAddress: v })}
          error={errors["identity.mediator.address"]}
        />
      </fieldset>
      <fieldset>
        <legend>{t.calendar.legend}</legend>
        <div className="field">
          <label htmlFor="calendar-region">{t.calendar.region}</label>
          <select
            id="calendar-region"
            value={draft.region}
            onChange={(e) => set({ region: e.target.value as Draft["region"] })}
          >
            <option value="metropole">{t.calendar.metropole}</option>
            <option value="alsace-moselle">{t.calendar.alsaceMoselle}</option>
          </select>
        </div>
        <div className="field">
          <label>
            <input type="checkbox" checked={draft.shift} onChange={(e) => set({ shift: e.target.checked })} />{" "}
            {t.calendar.shift}
          </label>
        </div>
        <TextField
          path="identity.policy.calendar.extraClosedDays"
          label={t.calendar.closedDays}
          value={draft.closedDays}
          onChange={(v) => set({ closedDays: v })}
          error={Object.entries(errors).find(([k]) => k.startsWith("identity.policy"))?.[1]}
          multiline
        />
      </fieldset>
      <fieldset>
        <legend>{t.security.legend}</legend>
        <TextField
          path="identity.workstationSecurity.idleLockMinutes"
          label={t.security.idleLockMinutes}
          help={t.security.idleLockHelp}
          value={draft.idleLockMinutes}
          onChange={(v) => set({ idleLockMinutes: v })}
          error={errors["identity.workstationSecurity.idleLockMinutes"]}
          input={{ inputMode: "numeric" }}
          required
        />
        <TextField
          path="identity.workstationSecurity.offlineLoginDays"
          label={t.security.offlineLoginDays}
          help={t.security.offlineLoginHelp}
          value={draft.offlineLoginDays}
          onChange={(v) => set({ offlineLoginDays: v })}
          error={errors["identity.workstationSecurity.offlineLoginDays"]}
          input={{ inputMode: "numeric" }}
          required
        />
      </fieldset>
      <fieldset>
        <legend>{frFleet.settingsLegend}</legend>
        <div className="field">
          <label htmlFor="fleet-stale-hours">{frFleet.staleHoursLabel}</label>
          <input
            id="fleet-stale-hours"
            type="number"
            min={1}
            max={720}
            value={draft.fleetStaleHours}
            onChange={(e) => set({ fleetStaleHours: e.target.value })}
            aria-invalid={errors["identity.fleetStaleHours"] ? true : undefined}
          />
          {errors["identity.fleetStaleHours"] && (
            <p className="error">{errors["identity.fleetStaleHours"]}</p>
          )}
        </div>
      </fieldset>
      {message && (
        <p className="error" role="alert">
          {message}
        </p>
      )}
      <p className="buttons">
        <button type="submit" className="primary" disabled={saving}>
          {t.identity.save}
        </button>
      </p>
    </form>
  );
}
