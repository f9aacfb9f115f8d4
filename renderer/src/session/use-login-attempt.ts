import { useState } from "react";
import type { Settings } from "../../db/settings-store";
import type { Session } from "../shared/session";
import { login } from "./login";

export type OnLoggedIn = (session: Session, settings: Settings, notice?: string) => void;

/** One login attempt at a time (server first, else the offline hash), its error in French. */
export function useLoginAttempt(settings: Settings, onLoggedIn: OnLoggedIn) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function attempt(creds: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    const res = await login(settings, creds);
    setBusy(false);
    if (res.ok) onLoggedIn(res.session, res.settings, res.notice);
    else setError(res.error);
  }

  return { error, busy, attempt };
}
