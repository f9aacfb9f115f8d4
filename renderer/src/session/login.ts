import { workstationSecurityOf } from "../../../domain/commune";
import { localRoles, rolesFromCouch } from "../../../domain/roles";
import { type Settings, workstationIdentityFor } from "../../db/settings-store";
import { type Credentials, NetworkError, setWorkstationIdentity } from "../../sync/http";
import { ApiError, couchSession, fetchWorkstationConfig, registerWorkstation } from "../../sync/server-api";
import { fr } from "../i18n/fr";
import { COUNTER_ROLES, type Session } from "../shared/session";
import {
  checkOffline,
  forgetAccount,
  isCachedPassword,
  type OfflineCheck,
  rememberAccount,
  serverContacted,
} from "./offline-accounts";

export type LoginResult =
  | { ok: true; session: Session; settings: Settings; notice?: string }
  | { ok: false; error: string };

const LOCKED = /lock|bloqu/i;

function refusal(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.status === 401) return fr.login.badCredentials;
  if (err.status === 403 && LOCKED.test(err.reason)) return fr.login.locked;
  if (err.status === 403) return fr.login.noAccess;
  if (err.status === 429) return fr.login.locked;
  return fr.login.serverError(`${err.status} ${err.reason}`);
}

/**
 * Online first: the server checks the password (CouchDB's _session, roles from its userCtx), hands
 * the commune's configuration and, once, this workstation's code. When the server cannot be
 * reached, an account that logged in here before is checked against its local PBKDF2 hash.
 */
export async function login(settings: Settings, creds: Credentials): Promise<LoginResult> {
  if (!settings.serverUrl) return { ok: false, error: fr.login.notConfigured };
  // Every call names this workstation: a revoked one is refused (and wiped) from the first.
  setWorkstationIdentity(workstationIdentityFor(settings));
  try {
    // CouchDB first when its address is known: only it says "locked" (the API just says 401).
    const known = settings.config?.couchUrl;
    let who = known ? await couchSession(known, creds) : undefined;
    const config = await fetchWorkstationConfig(settings.serverUrl, creds);
    if (!who || config.couchUrl !== known) who = await couchSession(config.couchUrl, creds);
    if (!who.userCtx?.name) return { ok: false, error: fr.login.badCredentials };
    serverContacted(config.commune.agents);
    // Roles of this commune only, in local form: a role of another commune hosted on the same
    // server gives nothing here (the server enforces it too).
    const couchRoles = localRoles(who.userCtx.roles, config.commune.id);
    const roles = rolesFromCouch(couchRoles);
    if (!roles.some((r) => COUNTER_ROLES.includes(r))) {
      // Disabled (the server took every role): no offline way in either.
      forgetAccount(who.userCtx.name);
      return { ok: false, error: fr.login.noAccess };
    }
    let next: Settings = { ...settings, config };
    // A code issued before workstations had a secret cannot prove itself: a new one is issued.
    if (!workstationIdentityFor(next)) {
      try {
        const { code, secret } = await registerWorkstation(
          settings.serverUrl,
          creds,
          settings.workstationName || fr.settings.defaultWorkstationName,
        );
        next = { ...next, workstationCode: code, workstationSecret: secret, codeServer: settings.serverUrl };
        setWorkstationIdentity({ code, secret });
      } catch (err) {
        return { ok: false, error: fr.login.registerFailed((err as Error).message) };
      }
    }
    const name = who.userCtx.name;
    const card = config.commune.agents?.find((a) => a.username === name);
    await rememberAccount(name, creds.password, roles, couchRoles, card?.passwordSetAt);
    const session: Session = {
      username: who.userCtx.name,
      password: creds.password,
      roles,
      couchRoles,
      offline: false,
      ...(card?.passwordSetAt ? { passwordSetAt: card.passwordSetAt } : {}),
    };
    return { ok: true, session, settings: next };
  } catch (err) {
    const refused = refusal(err);
    // The server refuses a password the workstation still holds: it was changed, forget it here.
    if (
      err instanceof ApiError &&
      err.status === 401 &&
      (await isCachedPassword(creds.username, creds.password))
    )
      forgetAccount(creds.username);
    if (refused) return { ok: false, error: refused };
    if (!(err instanceof NetworkError) && !(err instanceof TypeError)) {
      return { ok: false, error: fr.login.serverError((err as Error).message) };
    }
  }
  const commune = settings.config?.commune;
  const local = await checkOffline(creds.username, creds.password, {
    directory: commune?.agents,
    maxDays: workstationSecurityOf(commune ?? {}).offlineLoginDays,
  });
  if (!local.ok) return { ok: false, error: offlineRefusalText(local.reason, commune ?? {}) };
  const { account } = local;
  return {
    ok: true,
    notice: fr.login.offlineOk,
    settings,
    session: {
      username: account.username,
      password: creds.password,
      roles: account.roles,
      couchRoles: account.couchRoles,
      offline: true,
      ...(account.passwordSetAt ? { passwordSetAt: account.passwordSetAt } : {}),
    },
  };
}

function offlineRefusalText(
  reason: Exclude<OfflineCheck, { ok: true }>["reason"],
  commune: Parameters<typeof workstationSecurityOf>[0],
): string {
  switch (reason) {
    case "unknown":
      return fr.login.offlineNoAccount;
    case "password":
      return fr.login.offlineBadPassword;
    case "disabled":
      return fr.login.offlineDisabled;
    case "changed":
      return fr.login.offlinePasswordChanged;
    case "expired":
      return fr.login.offlineExpired(workstationSecurityOf(commune).offlineLoginDays);
  }
}
