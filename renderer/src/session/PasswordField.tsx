import { fr } from "../i18n/fr";

/** The current password of a login or an unlock (never saved by the page). */
export function PasswordField({
  id,
  value,
  onChange,
  autoFocus = false,
}: {
  id: string;
  value: string;
  onChange(value: string): void;
  autoFocus?: boolean;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{fr.login.password}</label>
      <input
        id={id}
        name="password"
        type="password"
        autoComplete="current-password"
        required
        // biome-ignore lint/a11y/noAutofocus: the lock screen's only field
        autoFocus={autoFocus}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
    </div>
  );
}
