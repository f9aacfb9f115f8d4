import { type FormEvent, useState } from "react";
import type { Settings } from "../../db/settings-store";
import { fr } from "../i18n/fr";
import { href } from "../shared/routes";
import { PasswordField } from "./PasswordField";
import { type OnLoggedIn, useLoginAttempt } from "./use-login-attempt";

export function LoginScreen({ settings, onLogin }: { settings: Settings; onLogin: OnLoggedIn }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const { error, busy, attempt } = useLoginAttempt(settings, onLogin);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await attempt({ username: username.trim().toLowerCase(), password });
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
      <form onSubmit={(e) => void submit(e)} aria-describedby={error ? "login-error" : undefined}>
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
        <PasswordField id="login-password" value={password} onChange={setPassword} />
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
