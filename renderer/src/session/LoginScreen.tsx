import { type FormEvent, useState } from "react";
import type { Settings } from "../../db/settings-store";
import { fr } from "../i18n/fr";
import { href } from "../shared/routes";
import type { Session } from "../shared/session";
import { login } from "./login";

export function LoginScreen({
  settings,
  onLogin,
}: {
  settings: Settings;
  onLogin(session: Session, settings: Settings, notice?: string): void;
}) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const res = await login(settings, { username: username.trim().toLowerCase(), password });
    setBusy(false);
    if (res.ok) onLogin(res.session, res.settings, res.notice);
    else setError(res.error);
  }

  return (
    <main id="main" className="login">
      <h1>
        {fr.app.title} — {fr.login.title}
      </h1>
      <p>{fr.login.intro}</p>
      {!settings.serverUrl && (
        <p className="warning">
          {fr.login.notConfigured} <a href={href({ name: "settings" })}>{fr.login.goToSettings}</a>
        </p>
      )}
      <form onSubmit={submit} aria-describedby={error ? "login-error" : undefined}>
        <div className="field">
          <label htmlFor="login-username">{fr.login.username}</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            required
            // biome-ignore lint/a11y/noAutofocus: the only thing to do on this screen
            autoFocus
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">{fr.login.password}</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        {error && (
          <p id="login-error" className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? fr.login.checking : fr.login.submit}
        </button>
      </form>
      <p>
        <a href={href({ name: "settings" })}>{fr.nav.settings}</a>
        {settings.config && ` — ${settings.config.commune.name}`}
      </p>
    </main>
  );
}
