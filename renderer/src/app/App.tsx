import { use, useCallback, useEffect, useMemo, useState } from "react";
import type { Catalogue } from "../../../domain/catalogue";
import { DEMO_COMMUNE, workstationSecurityOf } from "../../../domain/commune";
import { DEFAULT_CATALOGUE } from "../../../domain/default-catalogue";
import { version as APP_VERSION } from "../../../package.json";
import type { LocalData } from "../../db/local-database";
import {
  agentPrefs,
  loadSettings,
  type Settings,
  saveSettings,
  workstationCodeFor,
  workstationIdentityFor,
} from "../../db/settings-store";
import { setWorkstationIdentity } from "../../sync/http";
import {
  clearRevokedNotice,
  onWorkstationRevoked,
  type RevokedNotice,
  revokedNotice,
  wipeWorkstation,
} from "../../sync/workstation-wipe";
import { RevokedScreen } from "../fleet/RevokedScreen";
import { idleLockMs } from "../session/idle-timer";
import { LockScreen } from "../session/LockScreen";
import { LoginScreen } from "../session/LoginScreen";
import { sessionOutdated } from "../session/offline-policy";
import { clearMarker, loadMarker, saveMarker } from "../session/session-marker";
import { useIdleLock } from "../session/use-idle-lock";
import { forgetWork, holdWork } from "../session/work-in-progress";
import { SettingsScreen } from "../settings/SettingsScreen";
import { useConfigRefresh } from "../settings/use-config-refresh";
import { DEFAULT_CHANNEL, type Workstation, WorkstationContext } from "../shared/app-context";
import { useLiveInvalidation } from "../shared/live-invalidation";
import { navigate, parseRoute, useRoute } from "../shared/routes";
import type { Session } from "../shared/session";
import { useWorkstationSync } from "../sync-ui/use-workstation-sync";
import { Workspace } from "./Workspace";

/**
 * Root: the local database (opened at start-up, before login), then login, then the workspace.
 * After a reload, the agent who was logged in finds the lock screen (session marker), not a logout.
 */
export function App({ dataPromise }: { dataPromise: Promise<LocalData> }) {
  const data = use(dataPromise);
  const [settings, setSettingsState] = useState<Settings>(loadSettings);
  const [session, setSession] = useState<Session | null>(null);
  const [marker, setMarker] = useState(loadMarker);
  const [notice, setNotice] = useState<string | undefined>();
  const route = useRoute();
  const updateSettings = useCallback((next: Settings) => {
    saveSettings(next);
    setSettingsState(next);
  }, []);
  const onLogin = useCallback(
    (s: Session, next: Settings, message?: string) => {
      updateSettings(next);
      saveMarker(s.username);
      setMarker(null);
      setNotice(message);
      setSession(s);
    },
    [updateSettings],
  );
  const onLogout = useCallback(() => {
    // Logged out, the settings route shows the settings, not the login: leaving goes to the login.
    if (parseRoute(location.hash).name === "settings") navigate({ name: "queue", queue: "service" });
    clearMarker();
    forgetWork();
    setMarker(null);
    setSession(null);
    setNotice(undefined);
  }, []);
  // Revoked by a supervisor: the server refused this workstation; everything local goes.
  const [revoked, setRevoked] = useState<RevokedNotice | "wiping" | null>(revokedNotice);
  useEffect(() => onWorkstationRevoked(() => setRevoked((r) => r ?? "wiping")), []);
  const code = settings.workstationCode;
  useEffect(() => {
    if (revoked !== "wiping") return;
    setSession(null);
    void wipeWorkstation(data, code).then(() => setRevoked(revokedNotice()));
  }, [revoked, data, code]);

  if (revoked) {
    return (
      <RevokedScreen
        notice={revoked === "wiping" ? null : revoked}
        onSetUpAgain={() => {
          clearRevokedNotice();
          // A fresh start: an empty replica, the settings screen to name the server again.
          location.hash = "#/settings";
          location.reload();
        }}
      />
    );
  }
  if (!session) {
    if (route.name === "settings") return <SettingsScreen settings={settings} onSave={updateSettings} />;
    if (marker)
      return (
        <LockScreen
          username={marker.username}
          reason="reload"
          minutes={lockMinutes(settings)}
          settings={settings}
          onUnlock={onLogin}
          onSwitchAgent={onLogout}
        />
      );
    return <LoginScreen settings={settings} onLogin={onLogin} />;
  }
  return (
    <LoggedIn
      data={data}
      session={session}
      settings={settings}
      updateSettings={updateSettings}
      notice={notice}
      onUnlock={onLogin}
      onLogout={onLogout}
    />
  );
}

const lockMinutes = (s: Settings) => workstationSecurityOf(s.config?.commune ?? {}).idleLockMinutes;

function myServices(session: Session): string[] {
  return session.couchRoles.filter((r) => r.startsWith("guichet:service:")).map((r) => r.slice(16));
}

function LoggedIn(props: {
  data: LocalData;
  session: Session;
  settings: Settings;
  updateSettings(s: Settings): void;
  notice: string | undefined;
  onUnlock(session: Session, settings: Settings, notice?: string): void;
  onLogout(): void;
}) {
  const { data, session, settings, updateSettings } = props;
  const route = useRoute();
  const config = settings.config;
  const identity = workstationIdentityFor(settings);
  // Every call of this session names the workstation (idempotent: set before the sync starts).
  setWorkstationIdentity(identity);
  const report = identity
    ? { code: identity.code, name: settings.workstationName || identity.code, appVersion: APP_VERSION }
    : undefined;
  const sync = useWorkstationSync(data, config, session, settings.serverUrl, report);
  useLiveInvalidation(data);
  // Sync and configuration keep running behind the lock; only the screens leave the page.
  const [idle, setIdle] = useState(false);
  const [refused, setRefused] = useState(false);
  const onRefused = useCallback(() => setRefused(true), []);
  useConfigRefresh(settings, updateSettings, session, sync.status.online, onRefused);
  const lock = useCallback(() => {
    holdWork(true);
    setIdle(true);
  }, []);
  useIdleLock(idleLockMs(lockMinutes(settings)), !idle, lock);
  const catalogue: Catalogue = config?.catalogue ?? DEFAULT_CATALOGUE;
  const ws = useMemo<Workstation>(() => {
    const prefs = agentPrefs(settings, session.username);
    return {
      data,
      session,
      settings,
      updateSettings,
      catalogue,
      commune: config?.commune ?? DEMO_COMMUNE,
      workstationCode: workstationCodeFor(settings),
      prefs: {
        ...prefs,
        defaultChannel: prefs.defaultChannel ?? DEFAULT_CHANNEL,
        myService: prefs.myService ?? myServices(session)[0] ?? "accueil",
      },
      reSync: sync.reSync,
    };
  }, [data, session, settings, updateSettings, catalogue, config, sync.reSync]);
  // An account the server disabled or changed meanwhile is locked at once: a disabled one cannot
  // unlock, a changed one unlocks with its new password and the server's current roles.
  const outdated = refused || sessionOutdated({ ...session, savedAt: "" }, config?.commune.agents);
  if (idle || outdated) {
    // Set before the screens unmount (their cleanup runs after this render): they hand their work over.
    holdWork(true);
    return (
      <LockScreen
        username={session.username}
        reason={outdated ? "changed" : "idle"}
        minutes={lockMinutes(settings)}
        settings={settings}
        onUnlock={(s, next, message) => {
          holdWork(false);
          setIdle(false);
          setRefused(false);
          props.onUnlock(s, next, message);
        }}
        onSwitchAgent={props.onLogout}
      />
    );
  }
  return (
    <WorkstationContext value={ws}>
      {props.notice && (
        <p className="notice no-print" role="status">
          {props.notice}
        </p>
      )}
      <Workspace route={route} sync={sync.status} onLogout={props.onLogout} />
    </WorkstationContext>
  );
}
