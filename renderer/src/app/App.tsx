import { use, useCallback, useEffect, useMemo, useState } from "react";
import type { Catalogue } from "../../../domain/catalogue";
import { DEMO_COMMUNE } from "../../../domain/commune";
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
import { LoginScreen } from "../session/LoginScreen";
import { SettingsScreen } from "../settings/SettingsScreen";
import { useConfigRefresh } from "../settings/use-config-refresh";
import { DEFAULT_CHANNEL, type Workstation, WorkstationContext } from "../shared/app-context";
import { useLiveInvalidation } from "../shared/live-invalidation";
import { useRoute } from "../shared/routes";
import type { Session } from "../shared/session";
import { useWorkstationSync } from "../sync-ui/use-workstation-sync";
import { Workspace } from "./Workspace";

/** Root: the local database (opened at start-up, before login), then login, then the workspace. */
export function App({ dataPromise }: { dataPromise: Promise<LocalData> }) {
  const data = use(dataPromise);
  const [settings, setSettingsState] = useState<Settings>(loadSettings);
  const [session, setSession] = useState<Session | null>(null);
  const [notice, setNotice] = useState<string | undefined>();
  const route = useRoute();
  const updateSettings = useCallback((next: Settings) => {
    saveSettings(next);
    setSettingsState(next);
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
    return (
      <LoginScreen
        settings={settings}
        onLogin={(s, next, message) => {
          updateSettings(next);
          setNotice(message);
          setSession(s);
        }}
      />
    );
  }
  return (
    <LoggedIn
      data={data}
      session={session}
      settings={settings}
      updateSettings={updateSettings}
      notice={notice}
      onLogout={() => {
        setSession(null);
        setNotice(undefined);
      }}
    />
  );
}

function myServices(session: Session): string[] {
  return session.couchRoles.filter((r) => r.startsWith("guichet:service:")).map((r) => r.slice(16));
}

function LoggedIn(props: {
  data: LocalData;
  session: Session;
  settings: Settings;
  updateSettings(s: Settings): void;
  notice: string | undefined;
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
  useConfigRefresh(settings, updateSettings, session, sync.status.online);
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
