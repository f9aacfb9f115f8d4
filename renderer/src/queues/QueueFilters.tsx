import { CHANNEL_LABELS, CHANNELS } from "../../../domain/channels";
import { STATUS_LABELS, STATUSES } from "../../../domain/workflow";
import { type QueueFilters as Filters, type QueueId, queueFilterKeys, queueSorts } from "../../db/queues";
import { fr } from "../i18n/fr";
import { useWorkstation } from "../shared/app-context";

const SORT_LABELS = {
  dueOn: fr.queues.sortDue,
  updatedAt: fr.queues.sortUpdated,
  receivedAt: fr.queues.sortReceived,
};

export function QueueFilters({
  queue,
  value,
  onChange,
}: {
  queue: QueueId;
  value: Filters;
  onChange(f: Filters): void;
}) {
  const { catalogue } = useWorkstation();
  const keys = new Set(queueFilterKeys(queue));
  const sorts = queueSorts(queue);
  const set = (k: keyof Filters) => (v: string) => onChange({ ...value, [k]: v || undefined });
  const select = (k: keyof Filters, label: string, options: [string, string][]) =>
    keys.has(k) && (
      <div className="field">
        <label htmlFor={`qf-${k}`}>{label}</label>
        <select id={`qf-${k}`} value={value[k] ?? ""} onChange={(e) => set(k)(e.target.value)}>
          <option value="">{fr.queues.any}</option>
          {options.map(([v, l]) => (
            <option key={v} value={v}>
              {l}
            </option>
          ))}
        </select>
      </div>
    );
  return (
    <form className="filters" aria-label={fr.queues.filters} onSubmit={(e) => e.preventDefault()}>
      {select(
        "channel",
        fr.queues.channel,
        CHANNELS.map((c) => [c, CHANNEL_LABELS[c]]),
      )}
      {select(
        "demarche",
        fr.queues.demarche,
        catalogue.demarches.map((d) => [d.id, d.label]),
      )}
      {select(
        "status",
        fr.queues.status,
        STATUSES.map((s) => [s, STATUS_LABELS[s]]),
      )}
      {select(
        "service",
        fr.queues.serviceFilter,
        catalogue.services.map((s) => [s.id, s.name]),
      )}
      {keys.has("from") && (
        <div className="field">
          <label htmlFor="qf-from">{fr.queues.receivedFrom}</label>
          <input
            id="qf-from"
            type="date"
            value={value.from ?? ""}
            onChange={(e) => set("from")(e.target.value)}
          />
        </div>
      )}
      {keys.has("to") && (
        <div className="field">
          <label htmlFor="qf-to">{fr.queues.receivedTo}</label>
          <input id="qf-to" type="date" value={value.to ?? ""} onChange={(e) => set("to")(e.target.value)} />
        </div>
      )}
      {sorts.length > 1 && (
        <div className="field">
          <label htmlFor="qf-sort">{fr.queues.sort}</label>
          <select id="qf-sort" value={value.sort ?? sorts[0]} onChange={(e) => set("sort")(e.target.value)}>
            {sorts.map((s) => (
              <option key={s} value={s}>
                {SORT_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
      )}
      <button type="button" onClick={() => onChange({})}>
        {fr.queues.reset}
      </button>
    </form>
  );
}
