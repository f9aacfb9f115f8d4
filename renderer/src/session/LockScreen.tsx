import { type FormEvent, useState } from "react";
import type { Settings } from "../../db/settings-store";
import { fr } from "../i18n/fr";
import type { Session } from "../shared/session";
import { login } from "./login";

export type LockReason = "idle" | "reload" | "changed";

/**
 * The locked workstation: nothing of the citizens on the page, only who holds the session and a
 * password field. The password is checked like a login (server first, else the offline hash and
 * its rules), for this agent only; another agent logs out first.
 */
export function LockScreen(props: {
  username: string;
  reason: LockReason;
  minutes: number;
  settings: Settings;
  onUnlock(session: Session, settings: Settings, notice?: string): void;
  onSwitchAgent(): void;
}) {
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await login(props.settings, { username: props.username, password });
    setBusy(false);
    setPassword("");
    if (res.ok) props.onUnlock(res.session, res.settings, res.notice);
    else setError(res.error);
  }

  return (
    <main id="main" className="login" data-testid="lock-screen">
      <h1>{fr.lock.title}</h1>
      <p>
        {props.reason === "idle"
          ? fr.lock.idle(props.minutes)
          : props.reason === "changed"
            ? fr.lock.changed
            : fr.lock.reload}
      </p>
      <p>{fr.lock.who(props.username)}</p>
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? "lock-error" : undefined}>
        <div className="field">
          <label htmlFor="lock-password">{fr.login.password}</label>
          <input
            id="lock-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            // biome-ignore lint/a11y/noAutofocus: the only thing to do on this screen
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p id="lock-error" className="error" role="alert">
            {error}
          </p>
        )}
        <p className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? fr.login.checking : fr.lock.unlock}
          </button>{" "}
          <button type="button" onClick={props.onSwitchAgent}>
            {fr.lock.switchAgent}
          </button>
        </p>
      </form>
    </main>
  );
}
