import { type FormEvent, useContext, useState } from "react";
import type { Channel } from "../../../domain/channels";
import { type Settings, workstationCodeFor } from "../../db/settings-store";
import { fetchWorkstationConfig } from "../../sync/server-api";
import { fr } from "../i18n/fr";
import { WorkstationContext } from "../shared/app-context";
import { ChannelSelect } from "../shared/ChannelSelect";
import { href } from "../shared/routes";
import { ScreenTitle } from "../shared/ScreenTitle";
import { ServiceSelect } from "../shared/ServiceSelect";

/** Server address and workstation name (before login), plus the agent's own defaults (after). */
export function SettingsScreen(props: { settings?: Settings; onSave?: (s: Settings) => void }) {
  const ws = useContext(WorkstationContext);
  const settings = ws?.settings ?? props.settings!;
  const save = ws?.updateSettings ?? props.onSave!;
  const [serverUrl, setServerUrl] = useState(settings.serverUrl);
  const [name, setName] = useState(settings.workstationName);
  const [channel, setChannel] = useState<Channel>(ws?.prefs.defaultChannel ?? "guichet");
  const [service, setService] = useState(ws?.prefs.myService ?? "");
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  function submit(e: FormEvent) {
    e.preventDefault();
    const url = serverUrl.trim().replace(/\/+$/, "");
    if (!/^https?:\/\/[^/\s]+/.test(url)) return setMessage({ ok: false, text: fr.settings.invalidUrl });
    if (!name.trim()) return setMessage({ ok: false, text: fr.settings.nameRequired });
    let next: Settings = { ...settings, serverUrl: url, workstationName: name.trim() };
    if (ws) {
      next = {
        ...next,
        agents: { ...next.agents, [ws.session.username]: { defaultChannel: channel, myService: service } },
      };
    }
    save(next);
    setMessage({ ok: true, text: fr.settings.saved });
  }

  async function refresh() {
    if (!ws) return;
    try {
      const config = await fetchWorkstationConfig(settings.serverUrl, ws.session);
      save({ ...settings, config });
      setMessage({ ok: true, text: fr.settings.refreshed });
    } catch (err) {
      setMessage({ ok: false, text: fr.login.serverError((err as Error).message) });
    }
  }

  const code = workstationCodeFor(settings);
  const body = (
    <>
      <ScreenTitle>{fr.settings.title}</ScreenTitle>
      <form onSubmit={submit} className="settings">
        <div className="field">
          <label htmlFor="set-server">{fr.settings.serverUrl}</label>
          <input
            id="set-server"
            type="url"
            value={serverUrl}
            onChange={(e) => setServerUrl(e.target.value)}
            aria-describedby="set-server-help"
          />
          <p id="set-server-help" className="help">
            {fr.settings.serverUrlHelp} {settings.workstationCode && fr.settings.changeServerWarning}
          </p>
        </div>
        <div className="field">
          <label htmlFor="set-name">{fr.settings.workstationName}</label>
          <input
            id="set-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            aria-describedby="set-name-help"
          />
          <p id="set-name-help" className="help">
            {fr.settings.workstationNameHelp}
          </p>
        </div>
        <dl className="facts">
          <dt>{fr.settings.workstationCode}</dt>
          <dd data-testid="workstation-code">{code ?? fr.settings.noCode}</dd>
          <dt>{fr.settings.commune}</dt>
          <dd>{settings.config?.commune.name ?? fr.settings.noCommune}</dd>
        </dl>
        {ws && (
          <>
            <ChannelSelect
              id="set-channel"
              label={fr.settings.defaultChannel}
              value={channel}
              onChange={setChannel}
            />
            <ServiceSelect
              id="set-service"
              label={fr.settings.myService}
              value={service}
              onChange={setService}
              services={ws.catalogue.services}
            />
          </>
        )}
        {message && (
          <p className={message.ok ? "success" : "error"} role={message.ok ? "status" : "alert"}>
            {message.text}
          </p>
        )}
        <div className="buttons">
          <button type="submit">{fr.settings.save}</button>
          {ws && (
            <button type="button" onClick={refresh}>
              {fr.settings.refresh}
            </button>
          )}
        </div>
      </form>
      <p className="help">{fr.settings.attachmentsNote}</p>
    </>
  );
  if (ws) return body;
  return (
    <main id="main" className="login">
      {body}
      <p>
        <a href={href({ name: "queue", queue: "service" })}>{fr.settings.backToLogin}</a>
      </p>
    </main>
  );
}
