import { type FormEvent, useState } from "react";
import type { Settings } from "../../db/settings-store";
import { fr } from "../i18n/fr";
import { PasswordField } from "./PasswordField";
import { type OnLoggedIn, useLoginAttempt } from "./use-login-attempt";

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
  onUnlock: OnLoggedIn;
  onSwitchAgent(): void;
}) {
  const [password, setPassword] = useState("");
  const { error, busy, attempt } = useLoginAttempt(props.settings, props.onUnlock);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setPassword("");
    await attempt({ username: props.username, password });
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
        <PasswordField id="lock-password" value={password} onChange={setPassword} autoFocus />
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
